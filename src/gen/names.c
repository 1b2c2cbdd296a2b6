/*
 * names: the Chinese (and English) vocabulary the generator draws names from:
 * provinces with their cities and GB/T 2260 prefixes, park types, the Hong
 * Kong, Macao and overseas parks, enterprise trade names and industry words,
 * partner names. Data only. Banks, insurers and groups are invented names.
 */
#include <stdio.h>
#include <string.h>

#include "gen_int.h"
#include "parkfund/banned.h"

#define N_OF(a) (sizeof(a) / sizeof *(a))
#define CITIES(a) a, N_OF(a)

/* --- provinces and cities --- */

static const struct gen_city c_bj[] = { { "北京海淀", "Beijing Haidian" }, { "北京亦庄", "Beijing Yizhuang" },
    { "北京顺义", "Beijing Shunyi" }, { "北京昌平", "Beijing Changping" }, { "北京大兴", "Beijing Daxing" } };
static const struct gen_city c_tj[] = { { "天津滨海", "Tianjin Binhai" }, { "天津西青", "Tianjin Xiqing" },
    { "天津武清", "Tianjin Wuqing" }, { "天津东丽", "Tianjin Dongli" } };
static const struct gen_city c_he[] = { { "石家庄", "Shijiazhuang" }, { "唐山", "Tangshan" },
    { "保定", "Baoding" }, { "廊坊", "Langfang" }, { "沧州", "Cangzhou" } };
static const struct gen_city c_sx[] = { { "太原", "Taiyuan" }, { "大同", "Datong" }, { "长治", "Changzhi" },
    { "晋城", "Jincheng" }, { "运城", "Yuncheng" }, { "晋中", "Jinzhong" } };
static const struct gen_city c_nm[] = { { "呼和浩特", "Hohhot" }, { "包头", "Baotou" },
    { "鄂尔多斯", "Ordos" }, { "赤峰", "Chifeng" } };
static const struct gen_city c_ln[] = { { "沈阳", "Shenyang" }, { "大连", "Dalian" }, { "鞍山", "Anshan" },
    { "营口", "Yingkou" }, { "锦州", "Jinzhou" } };
static const struct gen_city c_jl[] = { { "长春", "Changchun" }, { "吉林", "Jilin" }, { "四平", "Siping" },
    { "延吉", "Yanji" } };
static const struct gen_city c_hl[] = { { "哈尔滨", "Harbin" }, { "大庆", "Daqing" },
    { "齐齐哈尔", "Qiqihar" }, { "牡丹江", "Mudanjiang" }, { "佳木斯", "Jiamusi" } };
static const struct gen_city c_sh[] = { { "上海张江", "Shanghai Zhangjiang" },
    { "上海漕河泾", "Shanghai Caohejing" }, { "上海临港", "Shanghai Lingang" },
    { "上海嘉定", "Shanghai Jiading" }, { "上海松江", "Shanghai Songjiang" } };
static const struct gen_city c_js[] = { { "南京", "Nanjing" }, { "苏州", "Suzhou" }, { "无锡", "Wuxi" },
    { "常州", "Changzhou" }, { "南通", "Nantong" }, { "徐州", "Xuzhou" } };
static const struct gen_city c_zj[] = { { "杭州", "Hangzhou" }, { "宁波", "Ningbo" }, { "温州", "Wenzhou" },
    { "嘉兴", "Jiaxing" }, { "绍兴", "Shaoxing" }, { "金华", "Jinhua" } };
static const struct gen_city c_ah[] = { { "合肥", "Hefei" }, { "芜湖", "Wuhu" }, { "蚌埠", "Bengbu" },
    { "马鞍山", "Ma'anshan" }, { "滁州", "Chuzhou" } };
static const struct gen_city c_fj[] = { { "福州", "Fuzhou" }, { "厦门", "Xiamen" }, { "泉州", "Quanzhou" },
    { "漳州", "Zhangzhou" }, { "莆田", "Putian" }, { "龙岩", "Longyan" }, { "三明", "Sanming" } };
static const struct gen_city c_jx[] = { { "南昌", "Nanchang" }, { "赣州", "Ganzhou" }, { "九江", "Jiujiang" },
    { "上饶", "Shangrao" }, { "宜春", "Yichun" } };
static const struct gen_city c_sd[] = { { "济南", "Jinan" }, { "青岛", "Qingdao" }, { "烟台", "Yantai" },
    { "潍坊", "Weifang" }, { "淄博", "Zibo" }, { "临沂", "Linyi" } };
static const struct gen_city c_ha[] = { { "郑州", "Zhengzhou" }, { "洛阳", "Luoyang" },
    { "新乡", "Xinxiang" }, { "许昌", "Xuchang" }, { "南阳", "Nanyang" } };
static const struct gen_city c_hb[] = { { "武汉", "Wuhan" }, { "襄阳", "Xiangyang" }, { "宜昌", "Yichang" },
    { "荆州", "Jingzhou" }, { "黄石", "Huangshi" } };
static const struct gen_city c_hn[] = { { "长沙", "Changsha" }, { "株洲", "Zhuzhou" }, { "湘潭", "Xiangtan" },
    { "衡阳", "Hengyang" }, { "岳阳", "Yueyang" }, { "常德", "Changde" }, { "郴州", "Chenzhou" } };
static const struct gen_city c_gd[] = { { "广州", "Guangzhou" }, { "深圳", "Shenzhen" }, { "珠海", "Zhuhai" },
    { "佛山", "Foshan" }, { "东莞", "Dongguan" }, { "惠州", "Huizhou" }, { "中山", "Zhongshan" },
    { "江门", "Jiangmen" } };
static const struct gen_city c_gx[] = { { "南宁", "Nanning" }, { "柳州", "Liuzhou" }, { "桂林", "Guilin" },
    { "北海", "Beihai" }, { "钦州", "Qinzhou" } };
static const struct gen_city c_hi[] = { { "海口", "Haikou" }, { "三亚", "Sanya" }, { "儋州", "Danzhou" },
    { "洋浦", "Yangpu" } };
static const struct gen_city c_cq[] = { { "重庆两江", "Chongqing Liangjiang" }, { "重庆璧山", "Chongqing Bishan" },
    { "重庆永川", "Chongqing Yongchuan" }, { "重庆涪陵", "Chongqing Fuling" },
    { "重庆长寿", "Chongqing Changshou" } };
static const struct gen_city c_sc[] = { { "成都", "Chengdu" }, { "绵阳", "Mianyang" }, { "德阳", "Deyang" },
    { "宜宾", "Yibin" }, { "泸州", "Luzhou" }, { "自贡", "Zigong" }, { "乐山", "Leshan" },
    { "南充", "Nanchong" } };
static const struct gen_city c_gz[] = { { "贵阳", "Guiyang" }, { "遵义", "Zunyi" }, { "安顺", "Anshun" },
    { "六盘水", "Liupanshui" }, { "毕节", "Bijie" }, { "铜仁", "Tongren" } };
static const struct gen_city c_yn[] = { { "昆明", "Kunming" }, { "曲靖", "Qujing" }, { "玉溪", "Yuxi" },
    { "红河", "Honghe" }, { "大理", "Dali" } };
static const struct gen_city c_xz[] = { { "拉萨", "Lhasa" }, { "日喀则", "Shigatse" }, { "林芝", "Nyingchi" } };
static const struct gen_city c_sn[] = { { "西安", "Xi'an" }, { "宝鸡", "Baoji" }, { "咸阳", "Xianyang" },
    { "榆林", "Yulin" }, { "渭南", "Weinan" } };
static const struct gen_city c_gs[] = { { "兰州", "Lanzhou" }, { "天水", "Tianshui" }, { "酒泉", "Jiuquan" },
    { "金昌", "Jinchang" }, { "白银", "Baiyin" } };
static const struct gen_city c_qh[] = { { "西宁", "Xining" }, { "海东", "Haidong" }, { "格尔木", "Golmud" } };
static const struct gen_city c_nx[] = { { "银川", "Yinchuan" }, { "石嘴山", "Shizuishan" }, { "吴忠", "Wuzhong" },
    { "中卫", "Zhongwei" }, { "固原", "Guyuan" } };
static const struct gen_city c_xj[] = { { "乌鲁木齐", "Urumqi" }, { "克拉玛依", "Karamay" },
    { "昌吉", "Changji" }, { "喀什", "Kashgar" }, { "石河子", "Shihezi" } };

/* Regional committees' provinces (SPEC §1, §3) come first and weigh 3. */
const struct gen_province gen_provinces[] = {
    { "CN-SC", "四川", "四川省", 51, 3, CITIES(c_sc) },
    { "CN-GZ", "贵州", "贵州省", 52, 3, CITIES(c_gz) },
    { "CN-FJ", "福建", "福建省", 35, 3, CITIES(c_fj) },
    { "CN-NX", "宁夏", "宁夏回族自治区", 64, 3, CITIES(c_nx) },
    { "CN-HN", "湖南", "湖南省", 43, 3, CITIES(c_hn) },
    { "CN-GD", "广东", "广东省", 44, 3, CITIES(c_gd) },
    { "CN-HL", "黑龙江", "黑龙江省", 23, 3, CITIES(c_hl) },
    { "CN-SX", "山西", "山西省", 14, 3, CITIES(c_sx) },
    { "CN-BJ", "北京", "北京市", 11, 1, CITIES(c_bj) },
    { "CN-TJ", "天津", "天津市", 12, 1, CITIES(c_tj) },
    { "CN-HE", "河北", "河北省", 13, 1, CITIES(c_he) },
    { "CN-NM", "内蒙古", "内蒙古自治区", 15, 1, CITIES(c_nm) },
    { "CN-LN", "辽宁", "辽宁省", 21, 1, CITIES(c_ln) },
    { "CN-JL", "吉林", "吉林省", 22, 1, CITIES(c_jl) },
    { "CN-SH", "上海", "上海市", 31, 1, CITIES(c_sh) },
    { "CN-JS", "江苏", "江苏省", 32, 2, CITIES(c_js) },
    { "CN-ZJ", "浙江", "浙江省", 33, 2, CITIES(c_zj) },
    { "CN-AH", "安徽", "安徽省", 34, 1, CITIES(c_ah) },
    { "CN-JX", "江西", "江西省", 36, 1, CITIES(c_jx) },
    { "CN-SD", "山东", "山东省", 37, 2, CITIES(c_sd) },
    { "CN-HA", "河南", "河南省", 41, 1, CITIES(c_ha) },
    { "CN-HB", "湖北", "湖北省", 42, 1, CITIES(c_hb) },
    { "CN-GX", "广西", "广西壮族自治区", 45, 1, CITIES(c_gx) },
    { "CN-HI", "海南", "海南省", 46, 1, CITIES(c_hi) },
    { "CN-CQ", "重庆", "重庆市", 50, 2, CITIES(c_cq) },
    { "CN-YN", "云南", "云南省", 53, 1, CITIES(c_yn) },
    { "CN-XZ", "西藏", "西藏自治区", 54, 1, CITIES(c_xz) },
    { "CN-SN", "陕西", "陕西省", 61, 1, CITIES(c_sn) },
    { "CN-GS", "甘肃", "甘肃省", 62, 1, CITIES(c_gs) },
    { "CN-QH", "青海", "青海省", 63, 1, CITIES(c_qh) },
    { "CN-XJ", "新疆", "新疆维吾尔自治区", 65, 1, CITIES(c_xj) },
};
const size_t gen_nprovinces = N_OF(gen_provinces);

/* --- park types: "成都" + "高新技术产业开发区" --- */
const struct gen_park_type gen_park_types[] = {
    { "高新技术产业开发区", "Hi-tech Industrial Development Zone", NULL, 1 },
    { "经济技术开发区", "Economic and Technological Development Zone", NULL, 1 },
    { "工业园区", "Industrial Park", NULL, 0 },
    { "综合保税区", "Comprehensive Bonded Zone", "logistics", 0 },
    { "临空经济区", "Airport Economic Zone", "logistics", 0 },
    { "现代物流园区", "Modern Logistics Park", "logistics", 0 },
    { "新材料产业园", "New Materials Industrial Park", "materials", 0 },
    { "化工园区", "Chemical Industry Park", "materials", 0 },
    { "生物医药产业园", "Biomedicine Industrial Park", "biomed", 0 },
    { "大健康产业园", "Health Industry Park", "biomed", 0 },
    { "装备制造产业园", "Equipment Manufacturing Industrial Park", "equipment", 0 },
    { "智能制造产业园", "Smart Manufacturing Industrial Park", "equipment", 0 },
    { "软件产业园", "Software Park", "it", 0 },
    { "电子信息产业园", "Electronic Information Industrial Park", "it", 0 },
    { "大数据产业园", "Big Data Industrial Park", "it", 0 },
    { "节能环保产业园", "Energy Conservation and Environmental Protection Industrial Park", "energy", 0 },
    { "新能源产业园", "New Energy Industrial Park", "energy", 0 },
    { "金融商务区", "Financial Business District", "finance", 0 },
    { "现代农业产业园", "Modern Agriculture Industrial Park", "agriculture", 0 },
    { "农业科技园区", "Agricultural Science and Technology Park", "agriculture", 0 },
};
const size_t gen_npark_types = N_OF(gen_park_types);

/* --- Hong Kong, Macao and the overseas centres' parks --- */
const struct gen_named_park gen_named_parks[] = {
    { "CN-HK", "香港科学园", "Hong Kong Science Park", "HKD", "香港" },
    { "CN-HK", "数码港", "Cyberport", "HKD", "香港" },
    { "CN-HK", "将军澳创新园", "Tseung Kwan O InnoPark", "HKD", "香港" },
    { "CN-HK", "大埔创新园", "Tai Po InnoPark", "HKD", "香港" },
    { "CN-HK", "元朗创新园", "Yuen Long InnoPark", "HKD", "香港" },
    { "CN-MO", "澳门中医药科技产业园", "Macao Traditional Chinese Medicine Science and Technology Park",
      "MOP", "澳门" },
    { "CN-MO", "澳门路环工业区", "Coloane Industrial Zone, Macao", "MOP", "澳门" },
    /* north_america */
    { "US", "中美（南卡罗来纳）工业园", "China-US (South Carolina) Industrial Park", "USD", "美国" },
    { "US", "中美（休斯敦）能源装备产业园", "China-US (Houston) Energy Equipment Park", "USD", "美国" },
    { "CA", "中加（温哥华）清洁技术产业园", "China-Canada (Vancouver) Clean Technology Park", "USD",
      "加拿大" },
    { "MX", "中墨（蒙特雷）工业园", "China-Mexico (Monterrey) Industrial Park", "USD", "墨西哥" },
    /* europe */
    { "BY", "中白工业园", "China-Belarus Industrial Park", "USD", "白俄罗斯" },
    { "HU", "中匈宝思德经贸合作区", "China-Hungary BorsodChem Economic and Trade Cooperation Zone",
      "EUR", "匈牙利" },
    { "DE", "中德（杜伊斯堡）产业园", "China-Germany (Duisburg) Industrial Park", "EUR", "德国" },
    { "RS", "塞尔维亚中国工业园", "Serbia China Industrial Park", "EUR", "塞尔维亚" },
    { "GB", "中英（曼彻斯特）科创园", "China-UK (Manchester) Innovation Park", "GBP", "英国" },
    { "IT", "中意（米兰）生物医药园", "China-Italy (Milan) Biomedicine Park", "EUR", "意大利" },
    { "FR", "中法（里昂）智慧城市产业园", "China-France (Lyon) Smart City Industrial Park", "EUR",
      "法国" },
    /* africa */
    { "ET", "埃塞俄比亚东方工业园", "Eastern Industrial Zone, Ethiopia", "USD", "埃塞俄比亚" },
    { "NG", "尼日利亚莱基自由贸易区", "Lekki Free Trade Zone, Nigeria", "USD", "尼日利亚" },
    { "ZA", "南非中国产业园", "South Africa China Industrial Park", "ZAR", "南非" },
    { "KE", "中肯（蒙巴萨）经济特区", "China-Kenya (Mombasa) Special Economic Zone", "USD", "肯尼亚" },
    { "ZM", "中国-赞比亚经贸合作区", "Zambia-China Economic and Trade Cooperation Zone", "USD",
      "赞比亚" },
    /* arab */
    { "EG", "中埃·泰达苏伊士经贸合作区", "China-Egypt TEDA Suez Economic and Trade Cooperation Zone",
      "EGP", "埃及" },
    { "AE", "中阿（联酋）产能合作示范园", "China-UAE Industrial Capacity Cooperation Demonstration Zone",
      "AED", "阿联酋" },
    { "SA", "中国-沙特（吉赞）产业园", "China-Saudi Arabia (Jazan) Industrial Park", "SAR", "沙特" },
    { "OM", "中阿（杜库姆）产业园", "China-Oman (Duqm) Industrial Park", "USD", "阿曼" },
    { "DZ", "中国-阿尔及利亚经贸合作区", "China-Algeria Economic and Trade Cooperation Zone", "USD",
      "阿尔及利亚" },
    { "MA", "中摩（丹吉尔）科技城", "China-Morocco (Tangier) Tech City", "USD", "摩洛哥" },
    /* southeast_asia */
    { "TH", "泰中罗勇工业园", "Thai-Chinese Rayong Industrial Zone", "THB", "泰国" },
    { "ID", "中国·印尼经贸合作区", "China-Indonesia Economic and Trade Cooperation Zone", "IDR",
      "印尼" },
    { "ID", "中印尼综合产业园区青山园区", "Indonesia Morowali Industrial Park", "IDR", "印尼" },
    { "KH", "柬埔寨西哈努克港经济特区", "Sihanoukville Special Economic Zone, Cambodia", "USD",
      "柬埔寨" },
    { "VN", "越南龙江工业园", "Long Jiang Industrial Park, Vietnam", "USD", "越南" },
    { "MY", "马中关丹产业园", "Malaysia-China Kuantan Industrial Park", "MYR", "马来西亚" },
    { "LA", "老挝万象赛色塔综合开发区", "Vientiane Saysettha Development Zone, Laos", "USD", "老挝" },
    { "SG", "中新（新加坡）科技合作园", "China-Singapore Technology Cooperation Park", "SGD",
      "新加坡" },
    { "PH", "中菲（克拉克）产业园", "China-Philippines (Clark) Industrial Park", "USD", "菲律宾" },
};
const size_t gen_nnamed_parks = N_OF(gen_named_parks);

/* --- enterprise and project vocabulary --- */
const struct gen_chain_words gen_chain_words[] = {
    { "energy", { "新能源科技", "光伏科技", "储能技术", "环保科技", "氢能科技", "节能技术", "风电装备",
                  "固废处理" },
      { "new_energy", "circular_economy", "hydrogen", "carbon_neutrality" } },
    { "materials", { "新材料科技", "复合材料", "高分子材料", "稀土材料", "碳纤维科技", "特种合金",
                     "电子材料", "化工新材料" },
      { "circular_economy", "smart_manufacturing", "soe", NULL } },
    { "biomed", { "生物医药", "医疗器械", "生物科技", "制药", "健康科技", "基因技术", "中药",
                  "医学检验" },
      { "health", "elderly_care", NULL, NULL } },
    { "logistics", { "供应链管理", "物流", "冷链物流", "智慧物流", "国际货运代理", "仓储服务",
                     "多式联运", "港口物流" },
      { "cross_border_trade", "belt_and_road", "urbanization", NULL } },
    { "equipment", { "智能装备", "精密机械", "航空装备", "机器人", "数控技术", "轨道交通装备",
                     "石油装备", "电气" },
      { "oil_equipment", "civil_military", "smart_manufacturing", NULL } },
    { "it", { "信息技术", "软件", "半导体", "集成电路", "数据科技", "智能科技", "电子",
              "通信技术" },
      { "digital_economy", "integrated_circuits", "education", NULL } },
    { "finance", { "融资租赁", "金融信息服务", "商业保理", "供应链金融", "金融科技", "融资担保",
                   "资产管理", "支付科技" },
      { "fintech", "soe", NULL, NULL } },
    { "agriculture", { "农业科技", "种业", "生态农业", "食品", "农牧", "茶业", "果蔬",
                       "粮油" },
      { "agriculture", "culture_tourism", NULL, NULL } },
};
const size_t gen_nchain_words = N_OF(gen_chain_words);

const char *const gen_trade1[] = { "华", "中", "金", "新", "瑞", "天", "恒", "鑫", "宏", "博",
    "明", "蓝", "海", "远", "泰", "盛", "德", "鼎", "卓", "安", "锦", "嘉", "永", "康", "宇",
    "凯", "英", "丰", "联", "信", "达", "晟", "昊", "睿", "诚", "源", "星", "祥", "通", "正" };
const size_t gen_ntrade1 = N_OF(gen_trade1);
const char *const gen_trade2[] = { "芯", "科", "创", "能", "材", "力", "智", "达", "诚", "泰",
    "盛", "源", "锐", "辰", "宸", "越", "峰", "拓", "航", "驰", "阳", "光", "瑞", "丰", "祥",
    "成", "润", "捷", "迈", "腾", "宁", "和", "信", "谷", "川", "洲", "扬", "远", "赫", "嘉" };
const size_t gen_ntrade2 = N_OF(gen_trade2);

const char *const gen_surnames[] = { "张", "王", "李", "刘", "陈", "杨", "赵", "黄", "周", "吴",
    "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗" };
const size_t gen_nsurnames = N_OF(gen_surnames);
const char *const gen_given[] = { "伟民", "建国", "秀英", "志强", "晓东", "丽华", "德明", "海波",
    "文斌", "建华", "国庆", "玉兰", "振华", "明辉", "春燕", "立新", "桂芳", "永强", "雪梅", "俊杰" };
const size_t gen_ngiven = N_OF(gen_given);

const char *const gen_banks[] = { "长江产业银行股份有限公司", "海峡联合银行股份有限公司",
    "西部开发银行股份有限公司", "东方振兴银行股份有限公司", "北方实业银行股份有限公司",
    "南方商业银行股份有限公司", "中原发展银行股份有限公司", "天府农村商业银行股份有限公司",
    "丝路开发银行股份有限公司" };
const size_t gen_nbanks = N_OF(gen_banks);
const char *const gen_insurers[] = { "泰和人寿保险股份有限公司", "中盛人寿保险股份有限公司",
    "恒康保险集团股份有限公司", "永信人寿保险股份有限公司", "国瑞保险资产管理有限公司",
    "安泰财产保险股份有限公司" };
const size_t gen_ninsurers = N_OF(gen_insurers);
const char *const gen_central_soes[] = { "中国联合装备集团有限公司", "中国绿色能源投资集团有限公司",
    "中国新材料控股集团有限公司", "中国智能制造投资有限公司", "中国国际产能合作集团有限公司" };
const size_t gen_ncentral_soes = N_OF(gen_central_soes);
const char *const gen_others[] = { "联盟员工跟投平台（有限合伙）", "中国产业园区发展基金会",
    "清源大学教育发展基金会", "海外园区建设者跟投平台（有限合伙）" };
const size_t gen_nothers = N_OF(gen_others);

/* --- lookups --- */

const struct gen_province *
gen_province_find(const char *code)
{
    size_t i;

    for (i = 0; i < gen_nprovinces; i++)
        if (strcmp(gen_provinces[i].code, code) == 0)
            return &gen_provinces[i];
    return NULL;
}

const struct gen_chain_words *
gen_chain_words_find(const char *chain)
{
    size_t i;

    for (i = 0; i < gen_nchain_words; i++)
        if (strcmp(gen_chain_words[i].chain, chain) == 0)
            return &gen_chain_words[i];
    return NULL;
}

char *
gen_cn_number(unsigned n, char *buf, size_t size)
{
    static const char *const digit[] = { "", "一", "二", "三", "四", "五", "六", "七", "八", "九" };

    if (n == 0 || n > 99)
        snprintf(buf, size, "%u", n);
    else if (n < 10)
        snprintf(buf, size, "%s", digit[n]);
    else
        snprintf(buf, size, "%s十%s", n / 10 == 1 ? "" : digit[n / 10], digit[n % 10]);
    return buf;
}
