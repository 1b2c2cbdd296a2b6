/*
 * kinds: the input contract of SPEC §4 as data. Import validates against it,
 * store derives its columns from it, gen writes its headers from it.
 */
#include <string.h>

#include "parkfund/model.h"
#include "parkfund/banned.h"

#define T PF_F_TEXT
#define D PF_F_DATE
#define M PF_F_MONEY
#define R PF_F_RATE
#define I PF_F_INT
#define Q PF_F_FRACTION
#define K PF_F_COUNT

static const struct pf_field parks[] = {
    { "park_id", true, T }, { "name", true, T }, { "name_en", false, T },
    { "region", true, T }, { "overseas_centre", false, T }, { "level", false, T },
};
static const struct pf_field enterprises[] = {
    { "enterprise_id", true, T }, { "name", true, T }, { "park_id", true, T },
    { "credit_code", false, T }, { "chain", false, T }, { "segment", false, T },
};
static const struct pf_field funds[] = {
    { "fund_id", true, T }, { "name", true, T }, { "currency", true, T },
    { "inception_date", true, D }, { "vintage", false, I }, { "manager", false, T },
};
static const struct pf_field partners[] = {
    { "partner_id", true, T }, { "name", true, T }, { "kind", true, T }, { "region", false, T },
};
static const struct pf_field projects[] = {
    { "project_id", true, T }, { "fund_id", true, T }, { "enterprise_id", true, T },
    { "name", true, T }, { "chain", true, T }, { "segment", true, T }, { "theme", false, T },
    { "instrument", true, T }, { "commitment_amount", true, M }, { "currency", true, T },
    { "commitment_date", true, D }, { "co_investment", false, M }, { "exit_date", false, D },
    { "listed_date", false, D },
};
static const struct pf_field commitments[] = {
    { "partner_id", true, T }, { "fund_id", true, T }, { "date", true, D },
    { "amount", true, M },
};
static const struct pf_field partner_flows[] = {
    { "flow_id", true, T }, { "fund_id", true, T }, { "partner_id", true, T },
    { "date", true, D }, { "kind", true, T }, { "purpose", true, T }, { "amount", true, M },
    { "recallable", false, T }, { "reverses", false, T }, { "note", false, T },
};
static const struct pf_field project_flows[] = {
    { "flow_id", true, T }, { "project_id", true, T }, { "date", true, D },
    { "kind", true, T }, { "amount", true, M }, { "currency", true, T },
    { "reverses", false, T }, { "note", false, T },
};
static const struct pf_field valuations[] = {
    { "project_id", true, T }, { "date", true, D }, { "value", true, M },
    { "currency", true, T }, { "method", false, T },
};
static const struct pf_field fx_rates[] = {
    { "date", true, D }, { "currency", true, T }, { "rate", true, R },
};
static const struct pf_field benchmarks[] = {
    { "index_id", true, T }, { "date", true, D }, { "level", true, R },
};

static const struct pf_field fund_terms[] = {
    { "fund_id", true, T }, { "gp_partner_id", true, T }, { "carry", true, Q },
    { "hurdle", true, Q }, { "hurdle_basis", false, T }, { "catch_up", false, Q },
    { "fee_rate", true, Q }, { "fee_basis", true, T }, { "investment_period_end", false, D },
    { "fee_rate_after", false, Q }, { "fee_basis_after", false, T },
    { "term_years", false, K }, { "carry_exempt", false, T }, { "concession", false, Q },
    { "concession_to", false, T },
};

#define N(a) (int)(sizeof a / sizeof *a)
const struct pf_kind_def pf_kinds[PF_K_COUNT] = {
    { "parks", "park", true, 1, parks, N(parks) },
    { "enterprises", "enterprise", true, 1, enterprises, N(enterprises) },
    { "funds", "fund", true, 1, funds, N(funds) },
    { "partners", "partner", true, 1, partners, N(partners) },
    { "projects", "project", true, 1, projects, N(projects) },
    { "commitments", "commitment", false, 3, commitments, N(commitments) },
    { "partner_flows", "partner_flow", false, 1, partner_flows, N(partner_flows) },
    { "project_flows", "project_flow", false, 1, project_flows, N(project_flows) },
    { "valuations", "valuation", false, 2, valuations, N(valuations) },
    { "fx_rates", "fx_rate", false, 2, fx_rates, N(fx_rates) },
    { "benchmarks", "benchmark", false, 2, benchmarks, N(benchmarks) },
    { "fund_terms", "fund_terms", true, 1, fund_terms, N(fund_terms) },
};

int
pf_kind_by_name(const char *name)
{
    int k;
    for (k = 0; k < PF_K_COUNT; k++)
        if (strcmp(pf_kinds[k].name, name) == 0)
            return k;
    return -1;
}

int
pf_kind_field(enum pf_kind k, const char *field)
{
    int i;
    for (i = 0; i < pf_kinds[k].nfields; i++)
        if (strcmp(pf_kinds[k].fields[i].name, field) == 0)
            return i;
    return -1;
}
