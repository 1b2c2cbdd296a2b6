/*
 * enums: the closed vocabularies of SPEC §4 that are not taxonomy (they change
 * only with the code that acts on them, so they are compiled in, not loaded).
 */
#include <string.h>

#include "parkfund/model.h"
#include "parkfund/banned.h"

const char *const pf_park_levels[] = { "national", "provincial", "other", NULL };

const char *const pf_partner_kinds[] = {
    "bank", "insurer", "guidance_fund", "soe", "corporate", "park", "individual", "gp", "other",
    NULL,
};

const char *const pf_instruments[] = { "equity", "debt", "convertible", "ppp", "fund", NULL };

const char *const pf_valuation_methods[] = {
    "cost", "market", "dcf", "transaction", "other", NULL,
};

/* Order matches enum pf_purpose PF_P_INVESTMENT..PF_P_OTHER_IN. */
const char *const pf_contribution_purposes[] = {
    "investment", "management_fee", "expenses", "other", NULL,
};

/* Order matches enum pf_purpose PF_P_RETURN_OF_CAPITAL..PF_P_CARRIED_INTEREST. */
const char *const pf_distribution_purposes[] = {
    "return_of_capital", "gain", "income", "other", "carried_interest", NULL,
};

/* Order matches enum pf_jflow_kind. */
const char *const pf_project_flow_kinds[] = {
    "investment", "proceeds", "dividend", "interest", "fee_income", NULL,
};

bool
pf_in_list(const char *const *list, const char *s)
{
    if (!list || !s)
        return false;
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}
