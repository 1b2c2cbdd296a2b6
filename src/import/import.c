/*
 * import: the command driver and the validation of every rule of SPEC §4.
 * Rows arrive from the CSV and JSON readers as raw strings; here they become
 * canonical (dates YYYY-MM-DD, money in integer minor units, rates scaled by
 * 1e8) or the command fails with the row's FILE:LINE and field.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import_int.h"
#include "parkfund/banned.h"

/* --- messages --- */

static pf_status
bad(struct imp *im, long line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static pf_status
bad(struct imp *im, long line, const char *field, const char *fmt, ...)
{
    char where[600], msg[900];
    va_list ap;

    snprintf(where, sizeof where, "%s:%ld", im->file, line);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (field)
        return pf_err_set(im->err, PF_EDATA, where, "field '%s': %s", field, msg);
    return pf_err_set(im->err, PF_EDATA, where, "%s", msg);
}

/* Quote a value for a message, shortened so a huge field cannot flood stderr. */
static const char *
shown(const char *v, char *buf, size_t n)
{
    size_t len = strlen(v);
    if (len + 1 <= n && len <= 60) {
        snprintf(buf, n, "%s", v);
    } else {
        size_t cut = 57;
        while (cut > 0 && ((unsigned char)v[cut] & 0xC0) == 0x80)
            cut--;
        snprintf(buf, n, "%.*s...", (int)cut, v);
    }
    return buf;
}

void
imp_progress(struct imp *im, size_t bytes)
{
    im->bytes_done += bytes;
    if (im->o->progress)
        im->o->progress(im->o->progress_arg, im->bytes_done, im->bytes_total);
}

/* --- field checks --- */

/* Free text (names, notes) may hold line breaks and tabs; ids and codes hold no control. */
static bool
is_free_text(const char *field)
{
    return strcmp(field, "name") == 0 || strcmp(field, "name_en") == 0 ||
           strcmp(field, "note") == 0 || strcmp(field, "manager") == 0;
}

static bool
no_controls(const char *s, bool free_text)
{
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++)
        if ((*p < 0x20 || *p == 0x7f) &&
            !(free_text && (*p == '\n' || *p == '\r' || *p == '\t')))
            return false;
    return true;
}

static pf_status
check_code(struct imp *im, long line, const char *field, const char *v, enum pf_tax_kind tk,
           const char *what)
{
    char b[80];
    if (v && !pf_taxonomy_has(im->tax, tk, v))
        return bad(im, line, field, "unknown %s '%s'", what, shown(v, b, sizeof b));
    return PF_OK;
}

static pf_status
check_enum(struct imp *im, long line, const char *field, const char *v,
           const char *const *list)
{
    struct pf_buf b = PF_BUF_INIT;
    char s[80];
    size_t i;
    pf_status rc;

    if (!v || pf_in_list(list, v))
        return PF_OK;
    for (i = 0; list[i]; i++)
        pf_buf_addf(&b, "%s%s", i ? ", " : "", list[i]);
    rc = bad(im, line, field, "unknown value '%s' (expected one of: %s)",
             shown(v, s, sizeof s), pf_buf_str(&b));
    pf_buf_release(&b);
    return rc;
}

static struct imp_ref *
ref_get(struct imp *im, enum pf_kind k, const char *id)
{
    return id ? pf_map_get(&im->refs[k], id) : NULL;
}

static pf_status
check_ref(struct imp *im, long line, const char *field, const char *v, enum pf_kind k,
          const char *what)
{
    char b[80];
    if (v && !ref_get(im, k, v))
        return bad(im, line, field, "unknown %s '%s' (not in this import or an earlier one)",
                   what, shown(v, b, sizeof b));
    return PF_OK;
}

static const char *
ref_val(struct imp *im, enum pf_kind k, const char *id, const char *field)
{
    struct imp_ref *r = ref_get(im, k, id);
    int i = pf_kind_field(k, field);
    return r && i >= 0 ? r->vals[i] : NULL;
}

/*
 * Syntax of every field by its type; fills canon[] (heap strings or NULL).
 * Text is kept as given except that surrounding ASCII spaces are dropped.
 */
static pf_status
canonicalise(struct imp *im, enum pf_kind k, char **raw, long line, char **canon)
{
    const struct pf_kind_def *kd = &pf_kinds[k];
    int i;

    for (i = 0; i < kd->nfields; i++) {
        const struct pf_field *f = &kd->fields[i];
        char *v = raw[i];
        size_t len, bad_at;
        const char *why;
        char b[80];

        canon[i] = NULL;
        if (v) {
            /* trim in place: the readers hand over their own copies */
            while (*v == ' ' || *v == '\t')
                v++;
            len = strlen(v);
            while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r'))
                v[--len] = '\0';
            if (len == 0)
                v = NULL;
        }
        if (!v) {
            if (f->required)
                return bad(im, line, f->name, "is required");
            continue;
        }
        if (len > PF_MAX_FIELD_BYTES)
            return bad(im, line, f->name, "is %zu bytes long, more than %d", len,
                       PF_MAX_FIELD_BYTES);
        if (!pf_utf8_check(v, len, &bad_at, &why))
            return bad(im, line, f->name, "%s at byte %zu%s", why, bad_at + 1,
                       im->o->encoding ? "" :
                       " (a file saved on Chinese Windows? try --encoding gb18030)");
        switch (f->type) {
        case PF_F_TEXT:
            if (!no_controls(v, is_free_text(f->name)))
                return bad(im, line, f->name, "contains a control character");
            canon[i] = pf_xstrdup(v);
            break;
        case PF_F_DATE: {
            pf_date d;
            if (!pf_date_parse(v, &d, &why))
                return bad(im, line, f->name, "'%s' %s", shown(v, b, sizeof b), why);
            canon[i] = pf_xstrdup(v);
            break;
        }
        case PF_F_MONEY: {
            pf_cents c;
            char num[32];
            if (!pf_money_parse(v, &c, &why))
                return bad(im, line, f->name, "'%s' %s", shown(v, b, sizeof b), why);
            snprintf(num, sizeof num, "%lld", (long long)c);
            canon[i] = pf_xstrdup(num);
            break;
        }
        case PF_F_RATE: {
            int64_t r;
            char num[32];
            if (!pf_decimal_parse(v, 8, &r, &why))
                return bad(im, line, f->name, "'%s' %s", shown(v, b, sizeof b),
                           strcmp(why, "has too many decimals") == 0 ? "has more than 8 decimals"
                                                                       : why);
            if (r == 0)
                return bad(im, line, f->name, "must be greater than zero");
            snprintf(num, sizeof num, "%lld", (long long)r);
            canon[i] = pf_xstrdup(num);
            break;
        }
        case PF_F_FRACTION: {
            int64_t r;
            char num[32];
            if (!pf_decimal_parse(v, 8, &r, &why))
                return bad(im, line, f->name, "'%s' %s", shown(v, b, sizeof b),
                           strcmp(why, "has too many decimals") == 0 ? "has more than 8 decimals"
                                                                       : why);
            if (r > 100000000)
                return bad(im, line, f->name, "'%s' is more than 1 (rates are fractions: 0.08 "
                           "for 8 %%)", shown(v, b, sizeof b));
            snprintf(num, sizeof num, "%lld", (long long)r);
            canon[i] = pf_xstrdup(num);
            break;
        }
        case PF_F_COUNT: {
            int64_t r;
            char num[32];
            if (!pf_decimal_parse(v, 0, &r, &why) || r < 1 || r > 999)
                return bad(im, line, f->name, "'%s' must be a whole number from 1 to 999",
                           shown(v, b, sizeof b));
            snprintf(num, sizeof num, "%lld", (long long)r);
            canon[i] = pf_xstrdup(num);
            break;
        }
        case PF_F_INT: {
            pf_date d;
            char day[16];
            snprintf(day, sizeof day, "%.4s-01-01", v);
            if (len != 4 || !pf_date_parse(day, &d, &why))
                return bad(im, line, f->name, "'%s' must be a year (YYYY)",
                           shown(v, b, sizeof b));
            canon[i] = pf_xstrdup(v);
            break;
        }
        }
    }
    return PF_OK;
}

/*
 * Ids: at most 100 bytes of letters and digits (ASCII, or any non-ASCII UTF-8
 * character such as Chinese) and the punctuation - _ . : / @ + # ( ). No space,
 * and never '*' or '|': the export's keys use them (key '*' is a dimension's
 * total, 'a|b' joins two ids). Ids also become file names and sheet text.
 */
static bool
is_id_field(const char *field)
{
    size_t n = strlen(field);
    return strcmp(field, "reverses") == 0 || (n > 3 && strcmp(field + n - 3, "_id") == 0);
}

static pf_status
check_id(struct imp *im, long line, const char *field, const char *v)
{
    const unsigned char *p;
    char b[80];

    if (!v)
        return PF_OK;
    if (strlen(v) > 100)
        return bad(im, line, field, "is longer than 100 bytes");
    for (p = (const unsigned char *)v; *p; p++) {
        if (*p >= 0x80 || (*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= 'a' && *p <= 'z') || strchr("-_.:/@+#()", *p))
            continue;
        if (*p == '*' || *p == '|')
            return bad(im, line, field, "'%s' contains '%c', which is reserved for export "
                       "keys (ids hold letters, digits and - _ . : / @ + # ( ))",
                       shown(v, b, sizeof b), *p);
        return bad(im, line, field, "'%s' contains a character not allowed in an id "
                   "(ids hold letters, digits and - _ . : / @ + # ( ))",
                   shown(v, b, sizeof b));
    }
    return PF_OK;
}

static const char *const yes_no[] = { "yes", "no", NULL };

#define CK(expr)                                                                          \
    do {                                                                                  \
        if ((rc = (expr)) != PF_OK)                                                       \
            return rc;                                                                    \
    } while (0)
#define V(name) c[pf_kind_field(k, name)]

/* The rules that tie fields together and to records (SPEC §4, and ours, see README),
 * one function per kind: each takes (im, k, c, line), which V() and CK() use. */
static pf_status
rules_park(struct imp *im, enum pf_kind k, char **c, long line)
{
    const char *region = V("region"), *centre = V("overseas_centre");
    pf_status rc;
    char b1[80];

    if (!pf_taxonomy_region_known(im->tax, region))
        return bad(im, line, "region", "unknown region '%s' (a province code such as "
                   "CN-SC or a country code such as DE)", shown(region, b1, sizeof b1));
    if (centre && strcmp(centre, "china") != 0)
        CK(check_code(im, line, "overseas_centre", centre, PF_TAX_CENTRE, "overseas centre"));
    if (centre && pf_taxonomy_region_domestic(im->tax, region) && strcmp(centre, "china"))
        return bad(im, line, "overseas_centre", "'%s' given for a domestic park in '%s'",
                   shown(centre, b1, sizeof b1), region);
    return check_enum(im, line, "level", V("level"), pf_park_levels);
}

static pf_status
rules_enterprise(struct imp *im, enum pf_kind k, char **c, long line)
{
    const char *why;
    pf_status rc;
    char b1[80];

    CK(check_ref(im, line, "park_id", V("park_id"), PF_K_PARKS, "park"));
    if (V("credit_code") && !pf_credit_code_valid(V("credit_code"), &why))
        return bad(im, line, "credit_code", "'%s' %s", shown(V("credit_code"), b1, sizeof b1),
                   why);
    CK(check_code(im, line, "chain", V("chain"), PF_TAX_CHAIN, "chain"));
    return check_code(im, line, "segment", V("segment"), PF_TAX_SEGMENT, "segment");
}

static pf_status
rules_partner(struct imp *im, enum pf_kind k, char **c, long line)
{
    pf_status rc;
    char b1[80];

    CK(check_enum(im, line, "kind", V("kind"), pf_partner_kinds));
    if (V("region") && !pf_taxonomy_region_known(im->tax, V("region")))
        return bad(im, line, "region", "unknown region '%s'", shown(V("region"), b1,
                   sizeof b1));
    return PF_OK;
}

/* A project may be in another currency than its fund (SPEC §5). */
static pf_status
rules_project(struct imp *im, enum pf_kind k, char **c, long line)
{
    pf_status rc;

    CK(check_ref(im, line, "fund_id", V("fund_id"), PF_K_FUNDS, "fund"));
    CK(check_ref(im, line, "enterprise_id", V("enterprise_id"), PF_K_ENTERPRISES,
                 "enterprise"));
    CK(check_code(im, line, "chain", V("chain"), PF_TAX_CHAIN, "chain"));
    CK(check_code(im, line, "segment", V("segment"), PF_TAX_SEGMENT, "segment"));
    CK(check_code(im, line, "theme", V("theme"), PF_TAX_THEME, "theme"));
    CK(check_enum(im, line, "instrument", V("instrument"), pf_instruments));
    CK(check_code(im, line, "currency", V("currency"), PF_TAX_CURRENCY, "currency"));
    if (V("exit_date") && strcmp(V("exit_date"), V("commitment_date")) < 0)
        return bad(im, line, "exit_date", "%s is before the commitment date %s",
                   V("exit_date"), V("commitment_date"));
    if (V("listed_date") && strcmp(V("listed_date"), V("commitment_date")) < 0)
        return bad(im, line, "listed_date", "%s is before the commitment date %s",
                   V("listed_date"), V("commitment_date"));
    return PF_OK;
}

/* A partner flow's kind and purpose agree; carried interest goes to the GP only; any
 * other flow needs the partner's commitment to the fund. */
static pf_status
rules_partner_flow(struct imp *im, enum pf_kind k, char **c, long line)
{
    const char *kind = V("kind"), *purpose = V("purpose");
    char pair[256], b1[80], b2[80];
    pf_status rc;

    CK(check_ref(im, line, "fund_id", V("fund_id"), PF_K_FUNDS, "fund"));
    CK(check_ref(im, line, "partner_id", V("partner_id"), PF_K_PARTNERS, "partner"));
    if (strcmp(kind, "contribution") && strcmp(kind, "distribution"))
        return bad(im, line, "kind", "unknown value '%s' (expected contribution or "
                   "distribution)", shown(kind, b1, sizeof b1));
    if (strcmp(kind, "contribution") == 0) {
        if (!pf_in_list(pf_contribution_purposes, purpose))
            return bad(im, line, "purpose", "'%s' does not fit a contribution (expected "
                       "investment, management_fee, expenses or other)",
                       shown(purpose, b1, sizeof b1));
        if (V("recallable") && strcmp(V("recallable"), "no"))
            return bad(im, line, "recallable", "only distributions can be recallable");
    } else {
        if (!pf_in_list(pf_distribution_purposes, purpose))
            return bad(im, line, "purpose", "'%s' does not fit a distribution (expected "
                       "return_of_capital, gain, income, other or carried_interest)",
                       shown(purpose, b1, sizeof b1));
        if (strcmp(purpose, "carried_interest") == 0) {
            const char *pk = ref_val(im, PF_K_PARTNERS, V("partner_id"), "kind");
            if (!pk || strcmp(pk, "gp") != 0)
                return bad(im, line, "purpose", "carried interest goes only to a general "
                           "partner (kind gp); '%s' is of kind '%s'",
                           shown(V("partner_id"), b1, sizeof b1),
                           shown(pk ? pk : "", b2, sizeof b2));
        }
    }
    CK(check_enum(im, line, "recallable", V("recallable"), yes_no));
    snprintf(pair, sizeof pair, "%s\x1f%s", V("partner_id"), V("fund_id"));
    if (!pf_map_has(&im->pairs, pair) && strcmp(purpose, "carried_interest") != 0)
        return bad(im, line, "partner_id", "partner '%s' has no commitment to fund '%s'",
                   shown(V("partner_id"), b1, sizeof b1), shown(V("fund_id"), b2, sizeof b2));
    return PF_OK;
}

/* A fund's terms (SPEC §10): its GP is of kind gp, the rates in range, the bases
 * known, a concession's beneficiary named, the carry-exempt partners known. */
static pf_status
rules_fund_terms(struct imp *im, enum pf_kind k, char **c, long line)
{
    static const char *const hurdle_bases[] = { "compound", "simple", NULL };
    static const char *const fee_bases[] = { "commitment", "invested", "nav", NULL };
    static const char *const to[] = { "lps", "gp", NULL };
    const char *gp = V("gp_partner_id"), *kind, *ex = V("carry_exempt");
    pf_status rc;
    char b1[80], b2[80];

    CK(check_ref(im, line, "fund_id", V("fund_id"), PF_K_FUNDS, "fund"));
    CK(check_ref(im, line, "gp_partner_id", gp, PF_K_PARTNERS, "partner"));
    kind = ref_val(im, PF_K_PARTNERS, gp, "kind");
    if (!kind || strcmp(kind, "gp") != 0)
        return bad(im, line, "gp_partner_id", "partner '%s' is of kind '%s', not 'gp' "
                   "(a general partner)", shown(gp, b1, sizeof b1),
                   shown(kind ? kind : "", b2, sizeof b2));
    /* SPEC §10: 0 <= carry < 1, 0 <= hurdle < 1, 0 <= catch_up <= 1 (x 1e8 here) */
    if (strtoll(V("carry"), NULL, 10) >= 100000000)
        return bad(im, line, "carry", "must be less than 1 (a fraction: 0.2 for 20 %%)");
    if (strtoll(V("hurdle"), NULL, 10) >= 100000000)
        return bad(im, line, "hurdle", "must be less than 1 (a fraction: 0.08 for 8 %%)");
    CK(check_enum(im, line, "hurdle_basis", V("hurdle_basis"), hurdle_bases));
    CK(check_enum(im, line, "fee_basis", V("fee_basis"), fee_bases));
    CK(check_enum(im, line, "fee_basis_after", V("fee_basis_after"), fee_bases));
    CK(check_enum(im, line, "concession_to", V("concession_to"), to));
    if (V("concession") && strcmp(V("concession"), "0") != 0 && !V("concession_to"))
        return bad(im, line, "concession_to", "a concession needs its beneficiary: lps "
                   "or gp");
    while (ex && *ex) {
        const char *end = strchr(ex, ';');
        size_t len = end ? (size_t)(end - ex) : strlen(ex);
        char id[160];
        if (len == 0 || len >= sizeof id)
            return bad(im, line, "carry_exempt", "partner ids are separated by ';' "
                       "(an empty or overlong id in '%s')", shown(V("carry_exempt"), b1,
                       sizeof b1));
        memcpy(id, ex, len);
        id[len] = '\0';
        CK(check_ref(im, line, "carry_exempt", id, PF_K_PARTNERS, "partner"));
        ex += len + (end ? 1 : 0);
    }
    return PF_OK;
}

static pf_status
check_rules(struct imp *im, enum pf_kind k, char **c, long line)
{
    pf_status rc = PF_OK;
    int i;

    for (i = 0; i < pf_kinds[k].nfields; i++)
        if (is_id_field(pf_kinds[k].fields[i].name))
            CK(check_id(im, line, pf_kinds[k].fields[i].name, c[i]));
    switch (k) {
    case PF_K_PARKS:
        return rules_park(im, k, c, line);
    case PF_K_ENTERPRISES:
        return rules_enterprise(im, k, c, line);
    case PF_K_FUNDS:
        return check_code(im, line, "currency", V("currency"), PF_TAX_CURRENCY, "currency");
    case PF_K_PARTNERS:
        return rules_partner(im, k, c, line);
    case PF_K_PROJECTS:
        return rules_project(im, k, c, line);
    case PF_K_COMMITMENTS:
        CK(check_ref(im, line, "partner_id", V("partner_id"), PF_K_PARTNERS, "partner"));
        return check_ref(im, line, "fund_id", V("fund_id"), PF_K_FUNDS, "fund");
    case PF_K_PARTNER_FLOWS:
        return rules_partner_flow(im, k, c, line);
    case PF_K_PROJECT_FLOWS:
        /* a flow in another currency than its project's is converted by the close */
        CK(check_ref(im, line, "project_id", V("project_id"), PF_K_PROJECTS, "project"));
        CK(check_enum(im, line, "kind", V("kind"), pf_project_flow_kinds));
        return check_code(im, line, "currency", V("currency"), PF_TAX_CURRENCY, "currency");
    case PF_K_VALUATIONS:
        CK(check_ref(im, line, "project_id", V("project_id"), PF_K_PROJECTS, "project"));
        CK(check_code(im, line, "currency", V("currency"), PF_TAX_CURRENCY, "currency"));
        return check_enum(im, line, "method", V("method"), pf_valuation_methods);
    case PF_K_FX_RATES:
        CK(check_code(im, line, "currency", V("currency"), PF_TAX_CURRENCY, "currency"));
        /* CNY is the base: a listed rate must say so (files often list every currency) */
        if (strcmp(V("currency"), "CNY") == 0 && strcmp(V("rate"), "100000000") != 0)
            return bad(im, line, "rate", "CNY is the base currency: its rate can only be 1");
        return PF_OK;
    case PF_K_FUND_TERMS:
        return rules_fund_terms(im, k, c, line);
    case PF_K_BENCHMARKS:
    case PF_K_COUNT:
        break;
    }
    return rc;
}

/*
 * A reversal names an earlier flow of the same kind (partner or project flow)
 * that is not itself a reversal and not yet reversed, with the same owner,
 * kind and amount: then both drop out of every figure.
 */
static pf_status
check_reversal(struct imp *im, enum pf_kind k, char **c, long line)
{
    const char *target = V("reverses");
    const struct pf_kind_def *kd = &pf_kinds[k];
    char *got[PF_MAX_FIELDS] = { 0 };
    const char *key[1];
    bool found = false, reversed = false;
    int64_t gb = 0;
    pf_status rc = PF_OK;
    char b1[80];
    int i;

    if (!target)
        return PF_OK;
    if (strcmp(target, c[0]) == 0)
        return bad(im, line, "reverses", "a flow cannot reverse itself");
    key[0] = target;
    if ((rc = pf_store_get_row(im->st, k, key, &found, got, &gb, im->err)) != PF_OK)
        return rc;
    if (!found) {
        rc = bad(im, line, "reverses", "no flow '%s' to reverse (not in this import or an "
                 "earlier one)", shown(target, b1, sizeof b1));
        goto cleanup;
    }
    if (got[pf_kind_field(k, "reverses")]) {
        rc = bad(im, line, "reverses", "flow '%s' is itself a reversal",
                 shown(target, b1, sizeof b1));
        goto cleanup;
    }
    if ((rc = pf_store_is_reversed(im->st, k, target, &reversed, im->err)) != PF_OK)
        goto cleanup;
    if (reversed) {
        rc = bad(im, line, "reverses", "flow '%s' is already reversed",
                 shown(target, b1, sizeof b1));
        goto cleanup;
    }
    if (strcmp(V("date"), got[pf_kind_field(k, "date")]) < 0) {
        rc = bad(im, line, "date", "%s is before %s, the date of the flow '%s' it reverses",
                 V("date"), got[pf_kind_field(k, "date")], shown(target, b1, sizeof b1));
        goto cleanup;
    }
    /* both drop out of every figure, so only what ties them together must agree: the
     * owner (fund and partner, or project) and the kind of flow */
    for (i = 1; i < kd->nfields; i++) {
        const char *name = kd->fields[i].name;
        if (strcmp(name, "fund_id") && strcmp(name, "partner_id") &&
            strcmp(name, "project_id") && strcmp(name, "kind"))
            continue;
        if (!got[i] || !c[i] || strcmp(got[i], c[i]) != 0) {
            rc = bad(im, line, name, "differs from the reversed flow '%s' (%s)",
                     shown(target, b1, sizeof b1), got[i] ? got[i] : "empty");
            goto cleanup;
        }
    }
cleanup:
    for (i = 0; i < kd->nfields; i++)
        free(got[i]);
    return rc;
}

/* A stored canonical value as a person wrote it: money back to 1234.56. */
static const char *
shown_value(enum pf_ftype t, const char *v, char *buf, size_t n)
{
    if (!v)
        snprintf(buf, n, "empty");
    else if (t == PF_F_MONEY)
        pf_decimal_format(strtoll(v, NULL, 10), 2, buf, n);
    else if (t == PF_F_RATE || t == PF_F_FRACTION)
        pf_decimal_format(strtoll(v, NULL, 10), 8, buf, n);
    else
        shown(v, buf, n);
    return buf;
}

static bool
rows_equal(const struct pf_kind_def *kd, char *const *a, char *const *b)
{
    int i;
    for (i = 0; i < kd->nfields; i++) {
        if (!a[i] != !b[i])
            return false;
        if (a[i] && strcmp(a[i], b[i]) != 0)
            return false;
    }
    return true;
}

static const char *
identity_text(enum pf_kind k, char **c, char *buf, size_t n)
{
    size_t used = 0;
    int i;
    buf[0] = '\0';
    for (i = 0; i < pf_kinds[k].nkey && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s='%s'", i ? ", " : "",
                                 pf_kinds[k].fields[i].name, c[i] ? c[i] : "");
    return buf;
}

static void
free_ref(void *p)
{
    struct imp_ref *r = p;
    int i;
    if (!r)
        return;
    for (i = 0; i < PF_MAX_FIELDS; i++)
        free(r->vals[i]);
    free(r);
}

/* Keep a running total per money field (sign -1 takes a row back out). */
static pf_status
add_money(struct imp *im, enum pf_kind k, char **c, long line, int sign)
{
    const struct pf_kind_def *kd = &pf_kinds[k];
    int i;
    for (i = 0; i < kd->nfields; i++) {
        if (kd->fields[i].type == PF_F_MONEY && c[i]) {
            int64_t v = strtoll(c[i], NULL, 10) * sign;
            if (!pf_cents_add(im->totals[k][i], v, &im->totals[k][i]))
                return bad(im, line, kd->fields[i].name, "makes the total of all '%s' amounts "
                           "overflow (more than 92233720368547758.07)", kd->fields[i].name);
        }
    }
    return PF_OK;
}

/*
 * Two valuations for one project and date in one import: with different content
 * that is an error naming both rows, whichever comes first (a restatement is a
 * later batch's row, never a second row of the same batch). The map holds where
 * each key was first seen, packed in the value pointer (file index, line): no
 * allocation per row beyond the key. got is the latest stored row for the key
 * (this import's, or the stored version the first row repeated).
 */
static pf_status
check_seen_valuation(struct imp *im, enum pf_kind k, char **c, char **got, bool found,
                     long line)
{
    const struct pf_kind_def *kd = &pf_kinds[k];
    char key[300], idt[300];
    void *v;

    snprintf(key, sizeof key, "%s\x1f%s", c[0], c[1]);
    if ((v = pf_map_get(&im->seen_val, key)) != NULL) {
        uint64_t packed = (uint64_t)(uintptr_t)v;
        size_t src = (size_t)(packed >> 40) - 1;
        long first = (long)(packed & ((UINT64_C(1) << 40) - 1));
        if (found && rows_equal(kd, got, c))
            return PF_OK; /* the same row again: as without the first */
        return bad(im, line, kd->fields[0].name, "duplicate %s in this import with different "
                   "content (also at %s:%ld)", identity_text(k, c, idt, sizeof idt),
                   im->src_names[src], first);
    }
    pf_map_put(&im->seen_val, key,
               (void *)(uintptr_t)(((uint64_t)(im->src + 1) << 40) | (uint64_t)line));
    return PF_OK;
}

/* A validated canonical row: store it unless it is stored already (the rules of §4). */
static pf_status
store_row(struct imp *im, enum pf_kind k, char **c, long line)
{
    const struct pf_kind_def *kd = &pf_kinds[k];
    char *got[PF_MAX_FIELDS] = { 0 };
    char idt[300], was[80];
    pf_status rc = PF_OK;
    int i;

    if (kd->reference) {
        struct imp_ref *old = ref_get(im, k, c[0]), *r;
        /* two different rows for one id in this import: an error naming both,
         * whichever order they came in (even when one equals the stored version) */
        if (old && old->seen_file && !rows_equal(kd, old->vals, c)) {
            rc = bad(im, line, kd->fields[0].name, "duplicate %s '%s' in this import with "
                     "different content (also at %s:%ld)", kd->fields[0].name,
                     shown(c[0], idt, 80), old->seen_file, old->seen_line);
            goto cleanup;
        }
        if (old && rows_equal(kd, old->vals, c)) {
            if (!old->seen_file) {
                old->seen_file = im->file;
                old->seen_line = line;
            }
            goto cleanup; /* unchanged: nothing new */
        }
        /* the running total holds the records' current versions: swap the old one out */
        if (old)
            add_money(im, k, old->vals, line, -1);
        if ((rc = add_money(im, k, c, line, 1)) != PF_OK)
            goto cleanup;
        if ((rc = pf_store_put_row(im->st, k, im->batch, (const char *const *)c, im->err)))
            goto cleanup;
        r = pf_xcalloc(1, sizeof *r);
        for (i = 0; i < kd->nfields; i++)
            r->vals[i] = c[i] ? pf_xstrdup(c[i]) : NULL;
        r->this_batch = true;
        r->seen_file = im->file;
        r->seen_line = line;
        free_ref(pf_map_put(&im->refs[k], c[0], r));
    } else {
        bool found = false, inserted = false;
        int64_t gb = 0;
        int rev = pf_kind_field(k, "reverses");
        /* most facts are new: insert first and look only on a conflict. Valuations
         * (restated by key) and reversals (checked against the stored flow) look first. */
        bool fast = k != PF_K_VALUATIONS && !(rev >= 0 && c[rev]);
        if (fast) {
            if ((rc = add_money(im, k, c, line, 1)) != PF_OK)
                goto cleanup;
            if ((rc = pf_store_put_row_if_new(im->st, k, im->batch, (const char *const *)c,
                                              &inserted, im->err)))
                goto cleanup;
            if (!inserted)
                add_money(im, k, c, line, -1);
        }
        if (!inserted) {
            if ((rc = pf_store_get_row(im->st, k, (const char *const *)c, &found, got, &gb,
                                       im->err)) != PF_OK)
                goto cleanup;
            if (k == PF_K_VALUATIONS &&
                (rc = check_seen_valuation(im, k, c, got, found, line)) != PF_OK)
                goto cleanup;
            if (found && gb == im->batch) {
                rc = bad(im, line, kd->fields[0].name, "duplicate %s in this import",
                         identity_text(k, c, idt, sizeof idt));
                im->dup_pending = true;
                im->dup_k = k;
                for (i = 0; i < kd->nkey; i++)
                    im->dup_key[i] = c[i] ? pf_xstrdup(c[i]) : NULL;
                im->dup_file = im->file;
                im->dup_line = line;
                goto cleanup;
            }
            if (found && rows_equal(kd, got, c))
                goto cleanup; /* the same fact again: idempotent */
            if (found && k != PF_K_VALUATIONS) {
                /* name the first field that differs, and what the stored row says */
                for (i = kd->nkey; i < kd->nfields; i++)
                    if (!got[i] != !c[i] || (got[i] && strcmp(got[i], c[i]) != 0))
                        break;
                rc = bad(im, line, i < kd->nfields ? kd->fields[i].name : NULL,
                         "differs from %s imported in batch %lld (stored: %s); %s",
                         identity_text(k, c, idt, sizeof idt), (long long)gb,
                         i < kd->nfields ? shown_value(kd->fields[i].type, got[i], was,
                                                       sizeof was) : "?",
                         k == PF_K_PARTNER_FLOWS || k == PF_K_PROJECT_FLOWS
                             ? "correct a flow with a reversing flow, not by editing it"
                             : "facts are never edited in place");
                goto cleanup;
            }
            if (fast) { /* a conflict on another unique key than the identity */
                rc = bad(im, line, NULL, "%s conflicts with a stored row",
                         identity_text(k, c, idt, sizeof idt));
                goto cleanup;
            }
            /* a valuation for a stored project and date restates it from this batch on */
            if (k == PF_K_PARTNER_FLOWS || k == PF_K_PROJECT_FLOWS) {
                if ((rc = check_reversal(im, k, c, line)) != PF_OK)
                    goto cleanup;
            }
            if ((rc = add_money(im, k, c, line, 1)) != PF_OK)
                goto cleanup;
            if ((rc = pf_store_put_row(im->st, k, im->batch, (const char *const *)c,
                                       im->err)))
                goto cleanup;
        }
        if (k == PF_K_COMMITMENTS) {
            char pair[256];
            snprintf(pair, sizeof pair, "%s\x1f%s", c[0], c[1]);
            pf_map_put(&im->pairs, pair, im);
        }
    }
    im->rows_new[k]++;
    if (im->src_rows_new)
        im->src_rows_new[im->src]++;
cleanup:
    if (rc == PF_EDATA && im->err->where[0] == '\0')
        snprintf(im->err->where, sizeof im->err->where, "%s:%ld", im->file, line);
    for (i = 0; i < kd->nfields; i++)
        free(got[i]);
    return rc;
}

pf_status
imp_row(struct imp *im, enum pf_kind k, char **raw, long line)
{
    const struct pf_kind_def *kd = &pf_kinds[k];
    char *c[PF_MAX_FIELDS] = { 0 };
    int rev = pf_kind_field(k, "reverses");
    pf_status rc;
    int i;

    if (im->searching) {
        /* looking for the other row of a duplicate: compare identities, store nothing */
        struct pf_err scratch = { 0 }, *saved = im->err;
        im->err = &scratch;
        if (k == im->dup_k && !im->found_file && canonicalise(im, k, raw, line, c) == PF_OK &&
            !(im->file == im->dup_file && line == im->dup_line)) {
            for (i = 0; i < kd->nkey; i++)
                if (!c[i] != !im->dup_key[i] || (c[i] && strcmp(c[i], im->dup_key[i])))
                    break;
            if (i == kd->nkey) {
                im->found_file = im->file;
                im->found_line = line;
            }
        }
        im->err = saved;
        for (i = 0; i < kd->nfields; i++)
            free(c[i]);
        return PF_OK;
    }
    im->rows_read[k]++;
    im->file_rows_read++;
    if ((rc = canonicalise(im, k, raw, line, c)) != PF_OK)
        goto cleanup;
    if ((rc = check_rules(im, k, c, line)) != PF_OK)
        goto cleanup;
    if (rev >= 0 && c[rev]) {
        /* a reversal may name a flow in a later file (or further down): wait for all */
        struct imp_deferred *d;
        if (im->ndeferred == im->cdeferred) {
            im->cdeferred = im->cdeferred ? 2 * im->cdeferred : 16;
            im->deferred = pf_xrealloc(im->deferred, im->cdeferred * sizeof *im->deferred);
        }
        d = &im->deferred[im->ndeferred++];
        memset(d, 0, sizeof *d);
        d->k = k;
        for (i = 0; i < kd->nfields; i++) {
            d->c[i] = c[i];
            c[i] = NULL;
        }
        d->file = im->file;
        d->line = line;
        d->src = im->src;
        goto cleanup;
    }
    rc = store_row(im, k, c, line);
cleanup:
    if (rc == PF_EDATA && im->err->where[0] == '\0')
        snprintf(im->err->where, sizeof im->err->where, "%s:%ld", im->file, line);
    for (i = 0; i < kd->nfields; i++)
        free(c[i]);
    return rc;
}

static void
free_deferred(struct imp *im)
{
    size_t j;
    int i;
    for (j = 0; j < im->ndeferred; j++)
        for (i = 0; i < PF_MAX_FIELDS; i++)
            free(im->deferred[j].c[i]);
    im->ndeferred = 0;
}

pf_status
imp_flush_deferred(struct imp *im)
{
    const char *file = im->file;
    size_t src = im->src, j;
    pf_status rc = PF_OK;

    for (j = 0; j < im->ndeferred && rc == PF_OK; j++) {
        struct imp_deferred *d = &im->deferred[j];
        im->file = d->file;
        im->src = d->src;
        rc = store_row(im, d->k, d->c, d->line);
    }
    free_deferred(im);
    im->file = file;
    im->src = src;
    return rc;
}

/* --- the command --- */

struct ref_loader {
    struct imp *im;
    enum pf_kind k;
};

static void
load_ref(void *arg, const char *const *vals)
{
    struct ref_loader *L = arg;
    struct imp_ref *r = pf_xcalloc(1, sizeof *r);
    int i;
    for (i = 0; i < pf_kinds[L->k].nfields; i++)
        r->vals[i] = vals[i] ? pf_xstrdup(vals[i]) : NULL;
    /* stored amounts fit in int64 one by one; their sum is checked from here on */
    add_money(L->im, L->k, r->vals, 0, 1);
    free_ref(pf_map_put(&L->im->refs[L->k], vals[0], r));
}

static void
load_pair(void *arg, const char *const *vals)
{
    struct imp *im = arg;
    char pair[256];
    snprintf(pair, sizeof pair, "%s\x1f%s", vals[0], vals[1]);
    pf_map_put(&im->pairs, pair, im);
}

int
pf_import_kind_of(const char *path)
{
    const char *base = strrchr(path, '/');
    size_t len, kl;
    int k, best = -1;
    size_t best_len = 0;

    base = base ? base + 1 : path;
    len = strlen(base);
    if (len > 4 && strcasecmp(base + len - 4, ".csv") == 0)
        len -= 4;
    else
        return -1;
    /* the stem is the kind, or ends with it after a separator: 2024-06_partner_flows.csv */
    for (k = 0; k < PF_K_COUNT; k++) {
        kl = strlen(pf_kinds[k].name);
        if (kl > len || strncmp(base + len - kl, pf_kinds[k].name, kl) != 0)
            continue;
        if (kl < len && base[len - kl - 1] != '_' && base[len - kl - 1] != '-' &&
            base[len - kl - 1] != '.')
            continue;
        if (kl > best_len) {
            best = k;
            best_len = kl;
        }
    }
    return best;
}

static bool
is_json(const char *path)
{
    size_t n = strlen(path);
    return n > 5 && strcasecmp(path + n - 5, ".json") == 0;
}

struct src {
    const char *path;
    int kind;          /* CSV kind; -1 for a JSON bundle */
    char sha[65];
    struct imp_json *json;
};

static int
cmp_digest_entry(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static pf_status
hash_file(const char *path, char hex[65], size_t *size, struct pf_err *err)
{
    FILE *f = fopen(path, "rb");
    struct pf_sha256 *h;
    char buf[65536];
    size_t n;

    *size = 0;
    if (!f)
        return pf_err_set(err, PF_ENOINPUT, "", "cannot open '%s': %s", path,
                          strerror(errno));
    h = pf_sha256_new();
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        pf_sha256_update(h, buf, n);
        *size += n;
    }
    if (ferror(f)) {
        fclose(f);
        pf_sha256_free(h);
        return pf_err_set(err, PF_EIO, "", "cannot read '%s': %s", path, strerror(errno));
    }
    fclose(f);
    pf_sha256_final(h, hex);
    pf_sha256_free(h);
    return PF_OK;
}

/* A duplicate fact's error names the other row too: read the kind's files again. */
static void
name_other_row(struct imp *im, struct src *srcs, size_t n, struct pf_err *err)
{
    size_t i, len;

    im->searching = true;
    for (i = 0; i < n && !im->found_file; i++) {
        struct pf_err scratch = { 0 }, *saved = im->err;
        im->err = &scratch;
        im->file = srcs[i].path;
        if (srcs[i].kind == (int)im->dup_k)
            (void)imp_csv_file(im, srcs[i].path, im->dup_k);
        else if (srcs[i].kind < 0 && srcs[i].json && imp_json_has_kind(srcs[i].json, im->dup_k))
            (void)imp_json_kind(im, srcs[i].json, im->dup_k);
        im->err = saved;
    }
    im->searching = false;
    len = strlen(err->msg);
    if (im->found_file && len < sizeof err->msg)
        snprintf(err->msg + len, sizeof err->msg - len, " (also at %s:%ld)", im->found_file,
                 im->found_line);
}

/*
 * The command's files: each one's kind (from --kind, its name, or a JSON bundle) and
 * content digest, and the batch's identity from them: their kinds and contents,
 * whatever their names or order. Nothing here touches the database, so a usage error
 * leaves it as it was.
 */
static pf_status
identify_sources(struct imp *im, struct src *srcs, const char *const *files, size_t n,
                 int forced, char digest[65], struct pf_err *err)
{
    const struct pf_import_opts *o = im->o;
    char **entries = pf_xcalloc(n ? n : 1, sizeof *entries);
    struct pf_sha256 *h = pf_sha256_new();
    pf_status rc = PF_OK;
    size_t i, j, size;

    for (i = 0; i < n; i++) {
        srcs[i].path = files[i];
        if (is_json(files[i]) && forced < 0)
            srcs[i].kind = -1;
        else if (forced >= 0)
            srcs[i].kind = forced;
        else if ((srcs[i].kind = pf_import_kind_of(files[i])) < 0) {
            rc = pf_err_set(err, PF_EUSAGE, "", "cannot tell the kind of '%s': name it after "
                            "its kind (parks.csv, partner_flows.csv, ...) or pass --kind",
                            files[i]);
            goto cleanup;
        }
        if ((rc = hash_file(files[i], srcs[i].sha, &size, err)) != PF_OK)
            goto cleanup;
        im->bytes_total += size;
        entries[i] = pf_xasprintf("%s\x1f%s\x1f%s", srcs[i].kind < 0 ? "json"
                                  : pf_kinds[srcs[i].kind].name, srcs[i].sha,
                                  o->encoding ? o->encoding : "utf-8");
    }
    /* a file named twice is a slip of the command line (the same rows under another
     * name are caught row by row, as duplicates) */
    for (i = 0; i < n; i++)
        for (j = 0; j < i; j++)
            if (strcmp(files[i], files[j]) == 0) {
                rc = pf_err_set(err, PF_EUSAGE, "", "'%s' is named twice: name it once",
                                files[i]);
                goto cleanup;
            }
    qsort(entries, n, sizeof *entries, cmp_digest_entry);
    for (i = 0; i < n; i++)
        pf_sha256_update(h, entries[i], strlen(entries[i]) + 1);
    pf_sha256_final(h, digest);
cleanup:
    for (i = 0; i < n; i++)
        free(entries[i]);
    free(entries);
    pf_sha256_free(h);
    return rc;
}

/* What the database holds already: every reference record (for lookups), the money
 * totals of the facts (for overflow checks), every (partner, fund) pair. */
static pf_status
load_existing(struct imp *im, struct pf_err *err)
{
    pf_status rc;
    int k, f;

    for (k = 0; k < PF_K_COUNT; k++) {
        if (pf_kinds[k].reference) {
            struct ref_loader L = { im, (enum pf_kind)k };
            if ((rc = pf_store_each_ref(im->st, (enum pf_kind)k, load_ref, &L, err)) != PF_OK)
                return rc;
            continue;
        }
        for (f = 0; f < pf_kinds[k].nfields; f++)
            if (pf_kinds[k].fields[f].type == PF_F_MONEY &&
                (rc = pf_store_sum(im->st, (enum pf_kind)k, pf_kinds[k].fields[f].name,
                                   &im->totals[k][f], err)) != PF_OK)
                return rc;
    }
    return pf_store_each_pair(im->st, load_pair, im, err);
}

/* Every file's rows, kind by kind in dependency order (every reference resolves
 * whatever order the files came in), each file recorded in the batch per kind. */
static pf_status
import_sources(struct imp *im, struct src *srcs, const char *const *files, size_t n,
               struct pf_err *err)
{
    size_t *src_read = pf_xcalloc(n + 1, sizeof *src_read);
    size_t *src_new = pf_xcalloc(n + 1, sizeof *src_new);
    bool *had = pf_xcalloc(n + 1, sizeof *had);
    pf_status rc = PF_OK;
    int k, seq = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (srcs[i].kind < 0) {
            im->file = srcs[i].path;
            if ((rc = imp_json_open(im, srcs[i].path, &srcs[i].json)) != PF_OK)
                goto cleanup;
        }
    }
    im->src_rows_new = src_new;
    im->src_names = files;
    for (k = 0; k < PF_K_COUNT; k++) {
        for (i = 0; i < n; i++) {
            im->file = srcs[i].path;
            im->src = i;
            im->file_rows_read = 0;
            src_new[i] = 0;
            had[i] = true;
            if (srcs[i].kind == k)
                rc = imp_csv_file(im, srcs[i].path, (enum pf_kind)k);
            else if (srcs[i].kind < 0 && imp_json_has_kind(srcs[i].json, (enum pf_kind)k))
                rc = imp_json_kind(im, srcs[i].json, (enum pf_kind)k);
            else
                had[i] = false;
            if (rc != PF_OK)
                goto cleanup;
            src_read[i] = im->file_rows_read;
        }
        /* reversals last: the flow a reversal names may be in any file of the command */
        if ((rc = imp_flush_deferred(im)) != PF_OK)
            goto cleanup;
        for (i = 0; i < n; i++)
            if (had[i] && (rc = pf_store_add_batch_file(im->st, im->batch, ++seq, srcs[i].path,
                                                        pf_kinds[k].name, srcs[i].sha,
                                                        (int64_t)src_read[i],
                                                        (int64_t)src_new[i], err)) != PF_OK)
                goto cleanup;
    }
cleanup:
    im->src_rows_new = NULL; /* freed below: no row is counted after this */
    free(src_read);
    free(src_new);
    free(had);
    return rc;
}

pf_status
pf_import(struct pf_store *st, const char *const *files, size_t n,
          const struct pf_import_opts *o, struct pf_import_result *res, struct pf_err *err)
{
    struct imp im;
    struct src *srcs = pf_xcalloc(n ? n : 1, sizeof *srcs);
    char digest[65], now[32];
    bool in_tx = false;
    int64_t tax_id = 0, existing = 0;
    size_t i, total_read = 0, total_new = 0;
    pf_status rc = PF_OK;
    int k, forced = -1;
    char *taxjson = NULL;

    memset(&im, 0, sizeof im);
    memset(res, 0, sizeof *res);
    im.st = st;
    im.o = o;
    im.tax = o->tax;
    im.err = err;

    if (n == 0) {
        rc = pf_err_set(err, PF_EUSAGE, "", "no files to import");
        goto cleanup;
    }
    if (o->kind && (forced = pf_kind_by_name(o->kind)) < 0) {
        rc = pf_err_set(err, PF_EUSAGE, "", "unknown kind '%s' (parks, enterprises, funds, "
                        "partners, projects, commitments, partner_flows, project_flows, "
                        "valuations, fx_rates, benchmarks)", o->kind);
        goto cleanup;
    }
    if ((rc = identify_sources(&im, srcs, files, n, forced, digest, err)) != PF_OK)
        goto cleanup;
    if ((rc = pf_store_begin_write(st, err)) != PF_OK)
        goto cleanup;
    in_tx = true;
    if ((rc = pf_store_batch_by_digest(st, digest, &existing, err)) != PF_OK)
        goto cleanup;
    if (existing) {
        res->already = true;
        res->batch = existing;
        goto cleanup;
    }
    taxjson = pf_taxonomy_json(o->tax);
    if ((rc = pf_store_put_taxonomy(st, pf_taxonomy_version(o->tax), taxjson, &tax_id, err)))
        goto cleanup;
    if ((rc = pf_store_new_batch(st, digest, tax_id, pf_now_iso(now, sizeof now, NULL),
                                 &im.batch, err)) != PF_OK)
        goto cleanup;
    /* rows slipped in under this batch's id before it existed are not adopted */
    if ((rc = pf_store_check_open_batch(st, im.batch, err)) != PF_OK ||
        (rc = load_existing(&im, err)) != PF_OK ||
        (rc = import_sources(&im, srcs, files, n, err)) != PF_OK)
        goto cleanup;
    for (k = 0; k < PF_K_COUNT; k++) {
        res->rows_read[k] = im.rows_read[k];
        res->rows_new[k] = im.rows_new[k];
        total_read += im.rows_read[k];
        total_new += im.rows_new[k];
    }
    if ((rc = pf_store_finish_batch(st, im.batch, (int64_t)total_read, (int64_t)total_new,
                                    err)) != PF_OK)
        goto cleanup;
    res->batch = im.batch;
    if ((rc = pf_store_seal_batch(st, im.batch, err)) != PF_OK)
        goto cleanup;
    if (total_new == 0) {
        res->nothing_new = true; /* no empty batch: the database stays as it was */
        goto cleanup;
    }
    if (o->dry_run)
        goto cleanup;
    rc = pf_store_commit(st, err);
    in_tx = false;
cleanup:
    if (rc == PF_EDATA && im.dup_pending)
        name_other_row(&im, srcs, n, err);
    for (k = 0; k < PF_MAX_FIELDS; k++)
        free(im.dup_key[k]);
    if (in_tx)
        pf_store_rollback(st);
    for (i = 0; i < n; i++)
        imp_json_free(srcs[i].json);
    for (k = 0; k < PF_K_COUNT; k++)
        pf_map_release(&im.refs[k], free_ref);
    pf_map_release(&im.pairs, NULL);
    pf_map_release(&im.seen_val, NULL);
    for (i = 0; i < im.ndeferred; i++) {
        int f;
        for (f = 0; f < PF_MAX_FIELDS; f++)
            free(im.deferred[i].c[f]);
    }
    free(im.deferred);
    free(srcs);
    free(taxjson);
    return rc;
}
