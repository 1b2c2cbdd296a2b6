/*
 * Unit tests for model: the shipped taxonomy (counts and names known from ISO
 * 3166, SPEC §3 and the Arab League / ASEAN memberships), the loader's checks on
 * small fixtures in a temp dir, the canonical JSON round trip, GB 32100-2015
 * credit codes (real published codes) and the fixed enumerations. Run from the
 * repository root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "parkfund/model.h"
#include "parkfund/util.h"

#define TAX_DIR "models/taxonomy"

/* ------------------------------------------------------------ shipped data */

static size_t
count_centre(const struct pf_taxonomy *t, const char *centre)
{
    size_t i, n = 0;

    for (i = 0; i < pf_taxonomy_count(t, PF_TAX_COUNTRY); i++) {
        const char *c = pf_taxonomy_region_centre(t, pf_taxonomy_code(t, PF_TAX_COUNTRY, i));
        n += c && strcmp(c, centre) == 0;
    }
    return n;
}

static void
test_shipped(void)
{
    static const char *const chains[][2] = {
        { "energy", "节能环保新能源" }, { "materials", "新材料" },
        { "biomed", "生物医药健康" },   { "logistics", "现代物流" },
        { "equipment", "高端装备制造" }, { "it", "信息技术" },
        { "finance", "现代金融" },      { "agriculture", "现代农业" },
    };
    static const char *const themes[] = {
        "oil_equipment", "new_energy", "agriculture", "fintech", "civil_military", "ppp",
        "circular_economy", "urbanization", "health", "soe", "education",
    };
    static const char *const provinces[] = {
        "CN-BJ", "CN-TJ", "CN-HE", "CN-SX", "CN-NM", "CN-LN", "CN-JL", "CN-HL", "CN-SH",
        "CN-JS", "CN-ZJ", "CN-AH", "CN-FJ", "CN-JX", "CN-SD", "CN-HA", "CN-HB", "CN-HN",
        "CN-GD", "CN-GX", "CN-HI", "CN-CQ", "CN-SC", "CN-GZ", "CN-YN", "CN-XZ", "CN-SN",
        "CN-GS", "CN-QH", "CN-NX", "CN-XJ", "CN-TW", "CN-HK", "CN-MO",
    };
    static const char *const currencies[] = {
        "CNY", "USD", "EUR", "HKD", "MOP", "TWD", "GBP", "JPY", "SGD", "MYR", "THB", "IDR",
        "VND", "PHP", "AED", "SAR", "EGP", "ZAR", "NGN", "KES", "CAD", "CHF", "AUD", "KRW",
    };
    static const char *const arab_league[] = {
        "DZ", "BH", "KM", "DJ", "EG", "IQ", "JO", "KW", "LB", "LY", "MR",
        "MA", "OM", "PS", "QA", "SA", "SO", "SD", "SY", "TN", "AE", "YE",
    };
    struct pf_taxonomy *t = NULL;
    struct pf_err err = { 0 };
    size_t i;
    int k;

    CHECK_INT(pf_taxonomy_load_dir(TAX_DIR, &t, &err), PF_OK);
    if (!CHECK(t != NULL)) {
        fprintf(stderr, "     %s: %s\n", err.where, err.msg);
        return;
    }
    CHECK_INT(pf_taxonomy_count(t, PF_TAX_CHAIN), 8);
    CHECK_INT(pf_taxonomy_count(t, PF_TAX_SEGMENT), 3);
    CHECK_INT(pf_taxonomy_count(t, PF_TAX_PROVINCE), 34);
    CHECK_INT(pf_taxonomy_count(t, PF_TAX_COUNTRY), 249); /* ISO 3166-1 since 2011 (SS) */
    CHECK_INT(pf_taxonomy_count(t, PF_TAX_CENTRE), 5);
    CHECK(pf_taxonomy_count(t, PF_TAX_THEME) >= 11);
    CHECK(pf_taxonomy_count(t, PF_TAX_CURRENCY) >= 24);
    CHECK_INT(pf_taxonomy_count(t, PF_TAX_KIND_COUNT), 0);

    /* SPEC §3 chain codes, names and order */
    for (i = 0; i < 8; i++) {
        CHECK_STR(pf_taxonomy_code(t, PF_TAX_CHAIN, i), chains[i][0]);
        CHECK_STR(pf_taxonomy_name(t, PF_TAX_CHAIN, chains[i][0], "zh"), chains[i][1]);
    }
    CHECK(pf_taxonomy_code(t, PF_TAX_CHAIN, 8) == NULL);
    CHECK_STR(pf_taxonomy_name(t, PF_TAX_CHAIN, "it", "en"), "Information Technology");
    CHECK(pf_taxonomy_name(t, PF_TAX_CHAIN, "it", "fr") == NULL);
    CHECK(pf_taxonomy_name(t, PF_TAX_CHAIN, "IT", "zh") == NULL);
    CHECK(pf_taxonomy_name(t, PF_TAX_CHAIN, "it", NULL) == NULL);
    CHECK_STR(pf_taxonomy_name(t, PF_TAX_SEGMENT, "upstream", "zh"), "上游");
    CHECK_STR(pf_taxonomy_name(t, PF_TAX_SEGMENT, "midstream", "zh"), "中游");
    CHECK_STR(pf_taxonomy_name(t, PF_TAX_SEGMENT, "downstream", "zh"), "下游");
    CHECK(!pf_taxonomy_has(t, PF_TAX_SEGMENT, "energy")); /* kinds are separate */
    for (i = 0; i < sizeof themes / sizeof *themes; i++)
        CHECK(pf_taxonomy_has(t, PF_TAX_THEME, themes[i]));
    for (i = 0; i < sizeof currencies / sizeof *currencies; i++)
        CHECK(pf_taxonomy_has(t, PF_TAX_CURRENCY, currencies[i]));

    /* every province, in GB/T 2260 order */
    for (i = 0; i < 34; i++)
        CHECK_STR(pf_taxonomy_code(t, PF_TAX_PROVINCE, i), provinces[i]);
    CHECK_STR(pf_taxonomy_name(t, PF_TAX_PROVINCE, "CN-SC", "zh"), "四川省");
    CHECK_STR(pf_taxonomy_name(t, PF_TAX_PROVINCE, "CN-SC", "en"), "Sichuan");
    CHECK_STR(pf_taxonomy_name(t, PF_TAX_PROVINCE, "CN-SN", "en"), "Shaanxi");
    CHECK_STR(pf_taxonomy_name(t, PF_TAX_PROVINCE, "CN-SX", "en"), "Shanxi");
    CHECK_STR(pf_taxonomy_name(t, PF_TAX_PROVINCE, "CN-NX", "zh"), "宁夏回族自治区");
    CHECK_STR(pf_taxonomy_name(t, PF_TAX_PROVINCE, "CN-HK", "zh"), "香港特别行政区");

    /* every item of every kind has both names */
    LOOP_BEGIN("taxonomy: every item of every kind has both names");
    for (k = 0; k < PF_TAX_KIND_COUNT; k++)
        for (i = 0; i < pf_taxonomy_count(t, (enum pf_tax_kind)k); i++) {
            const char *code = pf_taxonomy_code(t, (enum pf_tax_kind)k, i);
            const char *zh = pf_taxonomy_name(t, (enum pf_tax_kind)k, code, "zh");
            const char *en = pf_taxonomy_name(t, (enum pf_tax_kind)k, code, "en");
            if (!CHECK(zh && *zh && en && *en))
                fprintf(stderr, "     kind %d code '%s'\n", k, code ? code : "(null)");
        }
    LOOP_END();

    /* countries: current codes present, withdrawn or unassigned ones absent */
    CHECK_STR(pf_taxonomy_name(t, PF_TAX_COUNTRY, "US", "zh"), "美国");
    CHECK_STR(pf_taxonomy_name(t, PF_TAX_COUNTRY, "KH", "zh"), "柬埔寨");
    CHECK_STR(pf_taxonomy_name(t, PF_TAX_COUNTRY, "MT", "zh"), "马耳他");
    CHECK_STR(pf_taxonomy_name(t, PF_TAX_COUNTRY, "DE", "en"), "Germany");
    CHECK(pf_taxonomy_has(t, PF_TAX_COUNTRY, "SS"));
    CHECK(pf_taxonomy_has(t, PF_TAX_COUNTRY, "CW"));
    CHECK(pf_taxonomy_has(t, PF_TAX_COUNTRY, "AQ"));
    CHECK(!pf_taxonomy_has(t, PF_TAX_COUNTRY, "AN")); /* Netherlands Antilles, withdrawn 2010 */
    CHECK(!pf_taxonomy_has(t, PF_TAX_COUNTRY, "XK")); /* user-assigned, not ISO */
    CHECK(!pf_taxonomy_has(t, PF_TAX_COUNTRY, "UK")); /* reserved; GB is the code */

    /* regions and centres */
    CHECK(pf_taxonomy_region_known(t, "CN-SC"));
    CHECK(pf_taxonomy_region_known(t, "US"));
    CHECK(pf_taxonomy_region_known(t, "CN"));
    CHECK(!pf_taxonomy_region_known(t, "cn-sc"));
    CHECK(!pf_taxonomy_region_known(t, "CN-XX"));
    CHECK(!pf_taxonomy_region_known(t, ""));
    CHECK(!pf_taxonomy_region_known(t, NULL));
    CHECK(pf_taxonomy_region_domestic(t, "CN-GZ"));
    CHECK(pf_taxonomy_region_domestic(t, "CN"));
    CHECK(pf_taxonomy_region_domestic(t, "HK"));
    CHECK(!pf_taxonomy_region_domestic(t, "US"));
    CHECK(!pf_taxonomy_region_domestic(t, "XX"));
    CHECK_STR(pf_taxonomy_region_centre(t, "CN-FJ"), "china");
    CHECK_STR(pf_taxonomy_region_centre(t, "CN"), "china");
    CHECK_STR(pf_taxonomy_region_centre(t, "TW"), "china");
    CHECK_STR(pf_taxonomy_region_centre(t, "US"), "north_america");
    CHECK_STR(pf_taxonomy_region_centre(t, "CA"), "north_america");
    CHECK_STR(pf_taxonomy_region_centre(t, "DE"), "europe");
    CHECK_STR(pf_taxonomy_region_centre(t, "NG"), "africa");
    CHECK_STR(pf_taxonomy_region_centre(t, "EG"), "arab"); /* Arab League wins over Africa */
    CHECK_STR(pf_taxonomy_region_centre(t, "SG"), "southeast_asia");
    CHECK_STR(pf_taxonomy_region_centre(t, "BR"), "");
    CHECK_STR(pf_taxonomy_region_centre(t, "JP"), "");
    CHECK(pf_taxonomy_region_centre(t, "XX") == NULL);
    for (i = 0; i < sizeof arab_league / sizeof *arab_league; i++)
        CHECK_STR(pf_taxonomy_region_centre(t, arab_league[i]), "arab");
    CHECK_INT(count_centre(t, "arab"), 22);          /* League of Arab States */
    CHECK_INT(count_centre(t, "southeast_asia"), 11); /* ASEAN 10 + Timor-Leste */
    CHECK_INT(count_centre(t, "china"), 4);           /* CN HK MO TW */
    CHECK_STR(pf_taxonomy_name(t, PF_TAX_CENTRE, "arab", "en"), "Arab States Centre");

    CHECK_INT(pf_taxonomy_currency_minor_units(t, "CNY"), 2);
    CHECK_INT(pf_taxonomy_currency_minor_units(t, "JPY"), 0);
    CHECK_INT(pf_taxonomy_currency_minor_units(t, "KRW"), 0);
    CHECK_INT(pf_taxonomy_currency_minor_units(t, "KWD"), 3);
    CHECK_INT(pf_taxonomy_currency_minor_units(t, "XXX"), -1);
    CHECK_STR(pf_taxonomy_name(t, PF_TAX_CURRENCY, "CNY", "zh"), "人民币");

    pf_taxonomy_free(t);
    pf_taxonomy_free(NULL);
}

/* The canonical JSON reads back to an equal taxonomy with the same version. */
static void
test_round_trip(void)
{
    struct pf_taxonomy *t = NULL, *t2 = NULL;
    struct pf_err err = { 0 };
    char *json = NULL, *json2 = NULL;
    char hex[65];
    size_t i;
    int k;

    CHECK_INT(pf_taxonomy_load_dir(TAX_DIR "/", &t, &err), PF_OK);
    if (!t)
        goto cleanup;
    json = pf_taxonomy_json(t);
    CHECK(strncmp(json, "{\"format\":\"parkfund-taxonomy-1\",\"chains\":[{\"code\":\"energy\","
                        "\"zh\":\"节能环保新能源\"",
                  62) == 0);
    CHECK(strchr(json, '\n') == NULL);
    pf_sha256_hex(json, strlen(json), hex);
    CHECK_STR(pf_taxonomy_version(t), hex);
    CHECK_INT(strlen(pf_taxonomy_version(t)), 64);

    CHECK_INT(pf_taxonomy_load_json(json, &t2, &err), PF_OK);
    if (!t2)
        goto cleanup;
    json2 = pf_taxonomy_json(t2);
    CHECK_STR(json2, json);
    CHECK_STR(pf_taxonomy_version(t2), pf_taxonomy_version(t));
    for (k = 0; k < PF_TAX_KIND_COUNT; k++) {
        enum pf_tax_kind kk = (enum pf_tax_kind)k;
        CHECK_INT(pf_taxonomy_count(t2, kk), pf_taxonomy_count(t, kk));
        for (i = 0; i < pf_taxonomy_count(t, kk); i++) {
            const char *code = pf_taxonomy_code(t, kk, i);
            int same = strcmp(code, pf_taxonomy_code(t2, kk, i)) == 0 &&
                       strcmp(pf_taxonomy_name(t, kk, code, "zh"),
                              pf_taxonomy_name(t2, kk, code, "zh")) == 0 &&
                       strcmp(pf_taxonomy_name(t, kk, code, "en"),
                              pf_taxonomy_name(t2, kk, code, "en")) == 0;
            if (!same)
                CHECK(same);
        }
    }
    CHECK_STR(pf_taxonomy_region_centre(t2, "SA"), "arab");
    CHECK_INT(pf_taxonomy_currency_minor_units(t2, "JPY"), 0);
cleanup:
    free(json);
    free(json2);
    pf_taxonomy_free(t);
    pf_taxonomy_free(t2);
}

/* ------------------------------------------------------ loader on fixtures */

static const char fx_chains[] =
    "{\"about\":\"test\",\"chains\":[{\"code\":\"energy\",\"zh\":\"能源\",\"en\":\"Energy\"},"
    "{\"code\":\"it\",\"zh\":\"信息技术\",\"en\":\"IT\"}]}";
static const char fx_segments[] =
    "{\"segments\":[{\"code\":\"upstream\",\"zh\":\"上游\",\"en\":\"Upstream\"}]}";
static const char fx_themes[] = "{\"themes\":[]}";
static const char fx_regions[] =
    "{\"centres\":[{\"code\":\"europe\",\"zh\":\"欧洲中心\",\"en\":\"Europe Centre\"}],\n"
    "\"provinces\":[{\"code\":\"CN-SC\",\"zh\":\"四川省\",\"en\":\"Sichuan\"},\n"
    "{\"code\":\"CN-GZ\",\"zh\":\"贵州省\",\"en\":\"Guizhou\"}],\n"
    "\"countries\":[{\"code\":\"CN\",\"zh\":\"中国\",\"en\":\"China\",\"centre\":\"china\"},\n"
    "{\"code\":\"DE\",\"zh\":\"德国\",\"en\":\"Germany\",\"centre\":\"europe\"},\n"
    "{\"code\":\"BR\",\"zh\":\"巴西\",\"en\":\"Brazil\",\"centre\":\"\"}]}";
static const char fx_currencies[] =
    "{\"currencies\":[{\"code\":\"CNY\",\"zh\":\"人民币\",\"en\":\"Yuan\",\"minor_units\":2}]}";

struct fixture {
    char dir[64];
};

static bool
write_text(const char *dir, const char *name, const char *text)
{
    char *path = pf_xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(text, 1, strlen(text), f) == strlen(text);

    if (f && fclose(f) != 0)
        ok = false;
    free(path);
    return ok;
}

static void
fixture_remove(struct fixture *fx)
{
    static const char *const files[] = { "chains.json", "segments.json", "themes.json",
                                         "regions.json", "currencies.json" };
    size_t i;

    for (i = 0; i < sizeof files / sizeof *files; i++) {
        char *path = pf_xasprintf("%s/%s", fx->dir, files[i]);
        remove(path);
        free(path);
    }
    rmdir(fx->dir);
}

/*
 * Write the five fixture files into a fresh temp dir, with `file` replaced by
 * `text` (NULL text: leave that file out), and load it.
 */
static pf_status
load_variant(const char *file, const char *text, struct pf_taxonomy **out, struct pf_err *err)
{
    struct fixture fx;
    const char *names[5] = { "chains.json", "segments.json", "themes.json", "regions.json",
                             "currencies.json" };
    const char *texts[5] = { fx_chains, fx_segments, fx_themes, fx_regions, fx_currencies };
    size_t i;
    pf_status rc;

    snprintf(fx.dir, sizeof fx.dir, "/tmp/pf_test_model_XXXXXX");
    if (!mkdtemp(fx.dir)) {
        CHECK(!"mkdtemp failed");
        return PF_EIO;
    }
    for (i = 0; i < 5; i++) {
        const char *t = file && strcmp(file, names[i]) == 0 ? text : texts[i];
        if (t && !write_text(fx.dir, names[i], t))
            CHECK(!"cannot write fixture");
    }
    pf_err_clear(err);
    rc = pf_taxonomy_load_dir(fx.dir, out, err);
    /* report where relative to the temp dir, so tests can compare it */
    if (rc != PF_OK && strncmp(err->where, fx.dir, strlen(fx.dir)) == 0) {
        char rel[512];
        snprintf(rel, sizeof rel, "%s", err->where + strlen(fx.dir) + 1);
        snprintf(err->where, sizeof err->where, "%s", rel);
    }
    fixture_remove(&fx);
    return rc;
}

/*
 * Expect one variant to be rejected with status st, error place wfile and
 * message wmsg (a prefix when prefix is true), and *out reset to NULL.
 */
static void
check_reject(const char *file, const char *text, pf_status st, const char *wfile,
             const char *wmsg, bool prefix, int line)
{
    static int sentinel;
    struct pf_taxonomy *t = (struct pf_taxonomy *)(void *)&sentinel;
    struct pf_err e;
    pf_status rc = load_variant(file, text, &t, &e);
    bool ok = rc == st && t == NULL && strcmp(e.where, wfile) == 0 &&
              (prefix ? strncmp(e.msg, wmsg, strlen(wmsg)) == 0 : strcmp(e.msg, wmsg) == 0);

    if (!pf_t_check(ok, "rejected as expected", __FILE__, line))
        fprintf(stderr, "     got %d '%s: %s', want %d '%s: %s'\n", (int)rc, e.where, e.msg,
                (int)st, wfile, wmsg);
    if (t != (struct pf_taxonomy *)(void *)&sentinel)
        pf_taxonomy_free(t);
}
#define CHECK_REJECT(file, text, st, wfile, wmsg) \
    check_reject((file), (text), (st), (wfile), (wmsg), false, __LINE__)
#define CHECK_REJECT_PREFIX(file, text, st, wfile, wmsg) \
    check_reject((file), (text), (st), (wfile), (wmsg), true, __LINE__)

static void
test_loader(void)
{
    struct pf_taxonomy *t = NULL, *t2 = NULL;
    struct pf_err err;
    char *j1 = NULL, *j2 = NULL;

    /* the fixture set itself loads */
    CHECK_INT(load_variant(NULL, NULL, &t, &err), PF_OK);
    if (!t) {
        fprintf(stderr, "     %s: %s\n", err.where, err.msg);
        return;
    }
    CHECK_INT(pf_taxonomy_count(t, PF_TAX_CHAIN), 2);
    CHECK_INT(pf_taxonomy_count(t, PF_TAX_THEME), 0);
    CHECK_INT(pf_taxonomy_count(t, PF_TAX_COUNTRY), 3);
    CHECK_STR(pf_taxonomy_code(t, PF_TAX_COUNTRY, 2), "BR"); /* file order, not sorted */
    CHECK_STR(pf_taxonomy_region_centre(t, "DE"), "europe");
    CHECK_STR(pf_taxonomy_region_centre(t, "BR"), "");
    CHECK_STR(pf_taxonomy_region_centre(t, "CN-GZ"), "china");

    /* whitespace and "about" are not part of the version; order is */
    CHECK_INT(load_variant("chains.json",
                           "{ \"chains\" : [ {\"code\":\"energy\", \"zh\":\"能源\", "
                           "\"en\":\"Energy\"},\n {\"en\":\"IT\",\"zh\":\"信息技术\","
                           "\"code\":\"it\"} ] }\n",
                           &t2, &err),
              PF_OK);
    if (t2) {
        CHECK_STR(pf_taxonomy_version(t2), pf_taxonomy_version(t));
        j1 = pf_taxonomy_json(t);
        j2 = pf_taxonomy_json(t2);
        CHECK_STR(j1, j2);
    }
    pf_taxonomy_free(t2);
    t2 = NULL;
    CHECK_INT(load_variant("chains.json",
                           "{\"chains\":[{\"code\":\"it\",\"zh\":\"信息技术\",\"en\":\"IT\"},"
                           "{\"code\":\"energy\",\"zh\":\"能源\",\"en\":\"Energy\"}]}",
                           &t2, &err),
              PF_OK);
    if (t2) {
        CHECK(strcmp(pf_taxonomy_version(t2), pf_taxonomy_version(t)) != 0);
        CHECK_STR(pf_taxonomy_code(t2, PF_TAX_CHAIN, 0), "it");
    }
    pf_taxonomy_free(t2);
    pf_taxonomy_free(t);
    free(j1);
    free(j2);

    /* rejections: one per rule */
    CHECK_REJECT("regions.json",
                 "{\"centres\":[],\"provinces\":[{\"code\":\"CN-SC\",\"zh\":\"四川省\","
                 "\"en\":\"Sichuan\"},{\"code\":\"CN-GZ\",\"zh\":\"贵州省\",\"en\":\"Guizhou\"},"
                 "{\"code\":\"CN-SC\",\"zh\":\"四川\",\"en\":\"Sichuan\"}],\"countries\":[]}",
                 PF_EDATA, "regions.json", "duplicate code 'CN-SC'");
    CHECK_REJECT("chains.json",
                 "{\"chains\":[{\"code\":\"it\",\"zh\":\"信息技术\",\"en\":\"IT\"},"
                 "{\"code\":\"it\",\"zh\":\"信息\",\"en\":\"IT\"}]}",
                 PF_EDATA, "chains.json", "duplicate code 'it'");
    CHECK_REJECT_PREFIX("themes.json", NULL, PF_ENOINPUT, "", "cannot open '");
    CHECK_REJECT("regions.json",
                 "{\"centres\":[],\"provinces\":[],\"countries\":[{\"code\":\"DE\",\"zh\":\"德国\","
                 "\"en\":\"Germany\",\"centre\":\"europe\"}]}",
                 PF_EDATA, "regions.json", "unknown centre 'europe' for country 'DE'");
    CHECK_REJECT("regions.json",
                 "{\"centres\":[],\"provinces\":[],\"countries\":[{\"code\":\"DE\",\"zh\":\"德国\","
                 "\"en\":\"Germany\"}]}",
                 PF_EDATA, "regions.json", "missing field 'centre' in countries[0]");
    CHECK_REJECT("segments.json", "{\"segments\":[{\"code\":\"upstream\",\"en\":\"Upstream\"}]}",
                 PF_EDATA, "segments.json", "missing field 'zh' in segments[0]");
    CHECK_REJECT("segments.json",
                 "{\"segments\":[{\"code\":\"upstream\",\"zh\":\"上游\",\"en\":\"\"}]}", PF_EDATA,
                 "segments.json", "field 'en' in segments[0]: must not be empty");
    CHECK_REJECT("segments.json",
                 "{\"segments\":[{\"code\":\"upstream\",\"zh\":5,\"en\":\"Upstream\"}]}",
                 PF_EDATA, "segments.json", "field 'zh' in segments[0]: must be a string");
    CHECK_REJECT("segments.json",
                 "{\"segments\":[{\"code\":\"upstream\",\"zh\":\"上\\t游\",\"en\":\"Up\"}]}",
                 PF_EDATA, "segments.json",
                 "field 'zh' in segments[0]: must not contain control characters");
    /* cJSON decodes escapes: a lone surrogate must not turn into bad UTF-8 */
    CHECK_REJECT_PREFIX("segments.json",
                        "{\"segments\":[{\"code\":\"upstream\",\"zh\":\"\\ud800\",\"en\":\"Up\"}]}",
                        PF_EDATA, "segments.json", "");
    CHECK_REJECT("segments.json", "{\"segments\":[{\"code\":\"upstream\",\"zh\":\"上游\"", PF_EDATA,
                 "segments.json", "invalid JSON at line 1 (byte 45)"); /* 45 bytes: fails at the end */
    CHECK_REJECT("segments.json", "{\"segments\":[]}\n\nx", PF_EDATA, "segments.json",
                 "invalid JSON at line 3 (byte 17)"); /* trailing junk */
    CHECK_REJECT("segments.json", "[]", PF_EDATA, "segments.json",
                 "top level must be a JSON object");
    CHECK_REJECT("segments.json", "{}", PF_EDATA, "segments.json", "missing array 'segments'");
    CHECK_REJECT("segments.json", "{\"segments\":{}}", PF_EDATA, "segments.json",
                 "'segments' must be an array");
    CHECK_REJECT("segments.json", "{\"segments\":[],\"segmnts\":[]}", PF_EDATA,
                 "segments.json", "unknown key 'segmnts'");
    CHECK_REJECT("segments.json", "{\"segments\":[],\"chains\":[]}", PF_EDATA, "segments.json",
                 "unknown key 'chains'"); /* a kind belongs to one file */
    CHECK_REJECT("segments.json", "{\"segments\":[],\"segments\":[]}", PF_EDATA,
                 "segments.json", "key 'segments' appears twice");
    CHECK_REJECT("segments.json",
                 "{\"segments\":[{\"code\":\"upstream\",\"zh\":\"上游\",\"en\":\"U\",\"nmae\":1}]}",
                 PF_EDATA, "segments.json", "unknown field 'nmae' in segments[0]");
    CHECK_REJECT("segments.json", "{\"segments\":[{\"code\":\"Up\",\"zh\":\"上游\",\"en\":\"U\"}]}",
                 PF_EDATA, "segments.json",
                 "bad code 'Up' in segments[0]: expected lower case [a-z][a-z0-9_]*");
    CHECK_REJECT("segments.json", "{\"segments\":[\"upstream\"]}", PF_EDATA, "segments.json",
                 "segments[0] must be an object");
    CHECK_REJECT("regions.json",
                 "{\"centres\":[],\"provinces\":[{\"code\":\"SC\",\"zh\":\"四川省\","
                 "\"en\":\"Sichuan\"}],\"countries\":[]}",
                 PF_EDATA, "regions.json", "bad code 'SC' in provinces[0]: expected CN- and two capitals");
    CHECK_REJECT("currencies.json",
                 "{\"currencies\":[{\"code\":\"CNY\",\"zh\":\"人民币\",\"en\":\"Yuan\","
                 "\"minor_units\":2.5}]}",
                 PF_EDATA, "currencies.json",
                 "field 'minor_units' of 'CNY': must be a whole number 0 to 4");
    CHECK_REJECT("currencies.json",
                 "{\"currencies\":[{\"code\":\"CNY\",\"zh\":\"人民币\",\"en\":\"Yuan\","
                 "\"minor_units\":\"2\"}]}",
                 PF_EDATA, "currencies.json",
                 "field 'minor_units' of 'CNY': must be a whole number 0 to 4");
    CHECK_REJECT("currencies.json",
                 "{\"currencies\":[{\"code\":\"cny\",\"zh\":\"人民币\",\"en\":\"Yuan\","
                 "\"minor_units\":2}]}",
                 PF_EDATA, "currencies.json", "bad code 'cny' in currencies[0]: expected three capitals");
    /* a whole file that is not UTF-8 (GB18030 "四川") is refused before parsing */
    CHECK_REJECT("segments.json", "{\"segments\":[{\"code\":\"up\",\"zh\":\"\xcb\xc4\xb4\xa8\"}]}",
                 PF_EDATA, "segments.json", "content is not valid UTF-8 at byte 32");
}

/* pf_taxonomy_load_json refuses what is not the canonical form. */
static void
test_load_json_errors(void)
{
    struct pf_taxonomy *t = (struct pf_taxonomy *)&t;
    struct pf_err err = { 0 };

    CHECK_INT(pf_taxonomy_load_json(NULL, &t, &err), PF_EDATA);
    CHECK(t == NULL);
    pf_err_clear(&err);
    CHECK_INT(pf_taxonomy_load_json("{\"chains\":[]}", &t, &err), PF_EDATA);
    CHECK(t == NULL);
    pf_err_clear(&err);
    CHECK_INT(pf_taxonomy_load_json("{\"format\":\"parkfund-taxonomy-0\"}", &t, &err), PF_EDATA);
    CHECK_STR(err.msg, "unsupported format (expected 'parkfund-taxonomy-1')");
    pf_err_clear(&err);
    CHECK_INT(pf_taxonomy_load_json("{\"format\":\"parkfund-taxonomy-1\",\"chains\":[]}", &t,
                                    &err),
              PF_EDATA);
    CHECK_STR(err.msg, "missing array 'segments'");
    CHECK_STR(err.where, "taxonomy JSON");
    pf_err_clear(&err);
    /* "about" is a file comment, not part of the canonical form */
    CHECK_INT(pf_taxonomy_load_json("{\"format\":\"parkfund-taxonomy-1\",\"about\":\"x\"}", &t,
                                    &err),
              PF_EDATA);
    CHECK_STR(err.msg, "unknown key 'about'");
    pf_err_clear(&err);
    CHECK_INT(pf_taxonomy_load_json("", &t, &err), PF_EDATA);
    pf_err_clear(&err);
    CHECK_INT(pf_taxonomy_load_dir("/nonexistent/taxonomy", &t, &err), PF_ENOINPUT);
    CHECK(t == NULL);
    CHECK_STR(err.msg, "cannot open '/nonexistent/taxonomy/chains.json': No such file or directory");
    pf_err_clear(&err);
    CHECK_INT(pf_taxonomy_load_dir(NULL, &t, &err), PF_ENOINPUT);
    CHECK(pf_taxonomy_json(NULL) == NULL);
    CHECK(pf_taxonomy_version(NULL) == NULL);
    CHECK(!pf_taxonomy_has(NULL, PF_TAX_CHAIN, "it"));
    CHECK_INT(pf_taxonomy_count(NULL, PF_TAX_CHAIN), 0);
}

/* -------------------------------------------------------------- credit code */

static void
test_credit_code(void)
{
    /*
     * Published codes: the GB 32100-2015 example and codes printed on business
     * licences and annual reports (a random code passes the check 1 time in 31).
     */
    static const char *const real[] = {
        "91350100M000100Y43", /* GB 32100-2015, example in the standard */
        "914403001922038216", /* 华为技术有限公司 */
        "91440300708461136T", /* 深圳市腾讯计算机系统有限公司 */
        "91520000214434146R", /* 贵州茅台酒股份有限公司 */
        "9144030010001686XA", /* 招商银行股份有限公司 */
        "91110108551385082Q", /* 小米科技有限责任公司 */
        "91440300192317458F", /* 比亚迪股份有限公司 */
        "91100000100003962T", /* 中国工商银行股份有限公司 */
        "911000001000013428", /* 中国银行股份有限公司 */
        "91110000710925462X", /* 中国石油天然气股份有限公司 */
        "91330100799655058B", /* 阿里巴巴（中国）有限公司 */
    };
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const char *why = NULL;
    size_t i, pos;
    int misses = 0;

    for (i = 0; i < sizeof real / sizeof *real; i++) {
        if (!CHECK(pf_credit_code_valid(real[i], &why)))
            fprintf(stderr, "     %s: %s\n", real[i], why);
        CHECK(pf_credit_code_check_char(real[i]) == real[i][17]);
    }
    CHECK(pf_credit_code_check_char("91350100M000100Y4") == '3');
    CHECK(pf_credit_code_valid("91350100M000100Y43", NULL));

    /* Σ = 0 gives 31 - 0 = 31, written '0'; value 30 is 'Y' (computed independently) */
    CHECK(pf_credit_code_check_char("00000000000000000") == '0');
    CHECK(pf_credit_code_check_char("9111000010000001C") == '0');
    CHECK(pf_credit_code_check_char("9111000010000001N") == 'Y');
    CHECK(pf_credit_code_valid("9111000010000001NY", &why));

    /* weights are non-zero mod the prime 31: every single substitution is caught */
    for (i = 0; i < sizeof real / sizeof *real; i++)
        for (pos = 0; pos < 17; pos++) {
            size_t a;
            for (a = 0; a < 31; a++) {
                char buf[19];
                if (alphabet[a] == real[i][pos])
                    continue;
                memcpy(buf, real[i], 19);
                buf[pos] = alphabet[a];
                misses += pf_credit_code_valid(buf, NULL);
            }
        }
    CHECK_INT(misses, 0);

    CHECK(!pf_credit_code_valid("91350100M000100Y44", &why));
    CHECK_STR(why, "check digit is wrong");
    CHECK(!pf_credit_code_valid("91350100M000100Y4", &why));
    CHECK_STR(why, "must be 18 characters");
    CHECK(!pf_credit_code_valid("91350100M000100Y433", &why));
    CHECK_STR(why, "must be 18 characters");
    CHECK(!pf_credit_code_valid("", &why));
    CHECK_STR(why, "must not be empty");
    CHECK(!pf_credit_code_valid(NULL, &why));
    CHECK(!pf_credit_code_valid("91350100m000100y43", &why));
    CHECK_STR(why, "must use capital letters");
    CHECK(!pf_credit_code_valid("91350100I000100Y43", &why));
    CHECK_STR(why, "must not contain I, O, S, V or Z");
    CHECK(!pf_credit_code_valid("91350100-000100Y43", &why));
    CHECK_STR(why, "must contain only digits and capital letters");
    CHECK(!pf_credit_code_valid("\xef\xbc\x99\x31\x33\x35\x30\x31\x30\x30M000100Y43", &why));
    CHECK(pf_credit_code_check_char("91350100O000100Y4") == 0);
    CHECK(pf_credit_code_check_char("9135") == 0); /* too short: stops at the NUL */
    CHECK(pf_credit_code_check_char(NULL) == 0);
}

/* ------------------------------------------------------------ enumerations */

static size_t
list_len(const char *const *list)
{
    size_t n = 0;
    while (list[n])
        n++;
    return n;
}

static void
test_enums(void)
{
    CHECK_INT(list_len(pf_park_levels), 3);
    CHECK_INT(list_len(pf_partner_kinds), 9); /* SPEC §4: with gp (§10) */
    CHECK_INT(list_len(pf_instruments), 5);
    CHECK_INT(list_len(pf_valuation_methods), 5);
    CHECK_INT(list_len(pf_contribution_purposes), 4);
    CHECK_INT(list_len(pf_distribution_purposes), 5); /* with carried_interest */
    CHECK_INT(list_len(pf_project_flow_kinds), 5);

    CHECK(pf_in_list(pf_park_levels, "national"));
    CHECK(!pf_in_list(pf_park_levels, "National"));
    CHECK(!pf_in_list(pf_park_levels, ""));
    CHECK(!pf_in_list(pf_park_levels, NULL));
    CHECK(!pf_in_list(NULL, "national"));
    CHECK(pf_in_list(pf_partner_kinds, "guidance_fund"));
    CHECK(pf_in_list(pf_partner_kinds, "individual"));
    CHECK(pf_in_list(pf_instruments, "convertible"));
    CHECK(!pf_in_list(pf_instruments, "loan"));
    CHECK(pf_in_list(pf_valuation_methods, "dcf"));
    CHECK(pf_in_list(pf_contribution_purposes, "management_fee"));
    CHECK(!pf_in_list(pf_contribution_purposes, "gain")); /* purposes depend on the kind */
    CHECK(pf_in_list(pf_distribution_purposes, "return_of_capital"));
    CHECK(pf_in_list(pf_project_flow_kinds, "fee_income"));

    /* list order follows the enums in model.h, so an index converts directly */
    CHECK_STR(pf_contribution_purposes[PF_P_EXPENSES], "expenses");
    CHECK_STR(pf_contribution_purposes[PF_P_OTHER_IN], "other");
    CHECK_STR(pf_distribution_purposes[PF_P_GAIN - PF_P_RETURN_OF_CAPITAL], "gain");
    CHECK_STR(pf_distribution_purposes[PF_P_OTHER_OUT - PF_P_RETURN_OF_CAPITAL], "other");
    CHECK_STR(pf_project_flow_kinds[PF_J_DIVIDEND], "dividend");
    CHECK_STR(pf_project_flow_kinds[PF_J_FEE_INCOME], "fee_income");
}

int
main(void)
{
    test_shipped();
    test_round_trip();
    test_loader();
    test_load_json_errors();
    test_credit_code();
    test_enums();
    return pf_t_done("model");
}
