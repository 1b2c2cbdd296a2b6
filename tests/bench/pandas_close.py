#!/usr/bin/python3
"""The pandas + SciPy side of the close benchmark (SPEC §9; tests/bench/run.sh).

Computes from the input CSVs of `parkfund gen` (SPEC §4) the main metrics of a close
as of D, by the rules of SPEC §5, the way an analyst would with pandas and SciPy:

  per fund     paid-in, distributions, project NAV (latest valuation rolled forward
               by later investments and proceeds, else cost floored at 0), cash,
               NAV, DPI, RVPI, TVPI, net IRR (LP flows + NAV) and gross IRR
               (project flows in the fund's currency + project NAV)
  per partner  interest (commitment share at D), NAV share (largest remainder to
               the fen), net IRR
  per project  invested, realised, NAV, MOIC, gross IRR
  per chain    exposure sums per fund (fund currency) and portfolio-wide (CNY):
               count, committed, invested, realised, NAV, MOIC

Flows dated after D are ignored; a flow and its reversal both drop out; a flow
converts at the latest FX rate on or before its date, a NAV at the rate at D.
XIRR is Excel's convention, solved with scipy.optimize.brentq on a bracket found
from the guess 0.1 outwards.

It is a subset of what `parkfund close` computes (no PME family, no risk series,
no other grouping dimensions, no periods or checks), so the ratio it gives is
conservative. It does not need to agree to the cent: it is an honest equivalent
workload, not an oracle.

    pandas_close.py DIR AS_OF OUT_CSV
prints one line to stdout: "load_s=… compute_s=… write_s=… results=N".
"""
import sys
import time

T_START = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.optimize import brentq  # noqa: E402

T_IMPORTED = time.perf_counter()

INFLOWS = ("proceeds", "dividend", "interest", "fee_income")
GRID = np.array([-0.999, -0.99, -0.95, -0.9, -0.8, -0.6, -0.4, -0.2, -0.1, 0.0,
                 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0,
                 10.0, 20.0, 50.0, 100.0])


def xirr(days, amounts):
    """Excel XIRR: sum a_i / (1+r)^((d_i - d_0)/365) = 0; NaN when no root."""
    if amounts.size < 2 or not ((amounts > 0).any() and (amounts < 0).any()):
        return np.nan
    t = (days - days.min()) / 365.0

    def npv(r):
        return float(np.sum(amounts / np.power(1.0 + r, t)))

    vals = np.array([npv(r) for r in GRID])
    sign = np.sign(vals)
    brackets = np.nonzero(sign[:-1] * sign[1:] < 0)[0]
    if brackets.size == 0:
        hit = np.nonzero(vals == 0.0)[0]
        return float(GRID[hit[0]]) if hit.size else np.nan
    # the bracket nearest Excel's guess 0.1
    mid = (GRID[brackets] + GRID[brackets + 1]) / 2.0
    k = brackets[np.argmin(np.abs(mid - 0.1))]
    return brentq(npv, GRID[k], GRID[k + 1], xtol=1e-12, rtol=1e-12, maxiter=200)


def grouped_xirr(df, key, day_col, amt_col):
    """XIRR per group of df (one sort, then a loop over contiguous slices)."""
    df = df.sort_values([key, day_col], kind="mergesort")
    keys = df[key].to_numpy()
    days = df[day_col].to_numpy(dtype=np.float64)
    amts = df[amt_col].to_numpy(dtype=np.float64)
    if keys.size == 0:
        return pd.Series(dtype=np.float64)
    cuts = np.nonzero(keys[1:] != keys[:-1])[0] + 1
    starts = np.concatenate(([0], cuts))
    ends = np.concatenate((cuts, [keys.size]))
    out = {}
    for s, e in zip(starts, ends):
        out[keys[s]] = xirr(days[s:e], amts[s:e])
    return pd.Series(out, dtype=np.float64)


def drop_reversals(flows):
    rev = flows["reverses"].dropna()
    gone = set(rev) | set(flows.loc[rev.index, "flow_id"])
    return flows[~flows["flow_id"].isin(gone)]


def rate_at(fx, frame, date_col, cur_col, out_col):
    """Latest rate (CNY per unit) on or before frame[date_col] for frame[cur_col]."""
    frame = frame.sort_values(date_col, kind="mergesort")
    m = pd.merge_asof(frame, fx.rename(columns={"date": date_col, "currency": cur_col,
                                                 "rate": out_col}),
                      on=date_col, by=cur_col, direction="backward")
    m.loc[m[cur_col] == "CNY", out_col] = 1.0
    return m


def largest_remainder(total_cents, weights, ids):
    """Split total_cents by weights, rounded to the fen, ties to the smaller id."""
    raw = total_cents * weights
    base = np.floor(raw)
    left = int(round(total_cents - base.sum()))
    if left > 0:
        frac = raw - base
        order = np.lexsort((ids, -frac))
        base[order[:left]] += 1
    return base


def main():
    if len(sys.argv) != 4:
        sys.stderr.write("usage: pandas_close.py DIR AS_OF OUT_CSV\n")
        return 2
    d, as_of_s, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
    as_of = pd.Timestamp(as_of_s)

    # ---- load
    t0 = time.perf_counter()
    str_cols = {"reverses": str, "note": str, "recallable": str, "theme": str}

    def read(name, **kw):
        return pd.read_csv(f"{d}/{name}.csv", dtype=str_cols, keep_default_na=False,
                           na_values=[""], **kw)

    funds = read("funds", parse_dates=["inception_date"])
    commitments = read("commitments", parse_dates=["date"])
    pflows = read("partner_flows", parse_dates=["date"])
    projects = read("projects", parse_dates=["commitment_date"])
    jflows = read("project_flows", parse_dates=["date"])
    vals = read("valuations", parse_dates=["date"])
    fx = read("fx_rates", parse_dates=["date"])
    read("benchmarks", parse_dates=["date"])  # read, as a close reads it
    t1 = time.perf_counter()

    # ---- compute
    fx = fx[fx["date"] <= as_of].sort_values("date", kind="mergesort")
    fx_d = fx.groupby("currency")["rate"].last()
    fx_d["CNY"] = 1.0
    fund_cur = funds.set_index("fund_id")["currency"]
    epoch = pd.Timestamp("1970-01-01")

    # partner flows (already in the fund's currency)
    pf = drop_reversals(pflows[pflows["date"] <= as_of]).copy()
    is_c = pf["kind"] == "contribution"
    pf["signed"] = np.where(is_c, -pf["amount"], pf["amount"])
    pf["day"] = (pf["date"] - epoch).dt.days
    paid_in = pf[is_c].groupby("fund_id")["amount"].sum()
    dists = pf[~is_c].groupby("fund_id")["amount"].sum()
    cash_in = pf[is_c & pf["purpose"].isin(["investment", "other"])] \
        .groupby("fund_id")["amount"].sum()

    # project flows, converted to the fund's currency at their dates
    pj = drop_reversals(jflows[jflows["date"] <= as_of])
    pj = pj.merge(projects[["project_id", "fund_id", "chain"]], on="project_id")
    pj["fund_currency"] = pj["fund_id"].map(fund_cur)
    pj = rate_at(fx, pj, "date", "currency", "r_flow")
    pj = rate_at(fx, pj, "date", "fund_currency", "r_fund")
    pj["amt_f"] = pj["amount"] * pj["r_flow"] / pj["r_fund"]
    pj["amt_cny"] = pj["amount"] * pj["r_flow"]
    is_inv = pj["kind"] == "investment"
    is_out = pj["kind"].isin(INFLOWS)
    pj["signed_f"] = np.where(is_inv, -pj["amt_f"], np.where(is_out, pj["amt_f"], 0.0))
    pj["day"] = (pj["date"] - epoch).dt.days

    # project NAV: latest valuation on or before D, rolled forward; else cost >= 0
    v = vals[vals["date"] <= as_of].sort_values(["project_id", "date"], kind="mergesort")
    last_v = v.groupby("project_id").tail(1).set_index("project_id")
    pj["v_date"] = pj["project_id"].map(last_v["date"])
    roll = np.where(is_inv, pj["amount"], np.where(pj["kind"] == "proceeds",
                                                   -pj["amount"], 0.0))
    after = pj["v_date"].isna() | (pj["date"] > pj["v_date"])
    pj["roll"] = np.where(after, roll, 0.0)
    roll_sum = pj.groupby("project_id")["roll"].sum()
    proj = projects.set_index("project_id")
    nav_own = pd.Series(0.0, index=proj.index)
    has_v = proj.index.isin(last_v.index)
    nav_own[has_v] = last_v["value"].reindex(proj.index[has_v]) + \
        roll_sum.reindex(proj.index[has_v]).fillna(0.0)
    nav_own[~has_v] = roll_sum.reindex(proj.index[~has_v]).fillna(0.0).clip(lower=0.0)
    nav_cny = nav_own * proj["currency"].map(fx_d).to_numpy()
    nav_f = nav_cny / proj["fund_id"].map(fund_cur).map(fx_d).to_numpy()

    invested = pj[is_inv].groupby("project_id")["amt_f"].sum().reindex(proj.index).fillna(0.0)
    realised = pj[is_out].groupby("project_id")["amt_f"].sum().reindex(proj.index).fillna(0.0)
    projects_out = pd.DataFrame({"fund": proj["fund_id"], "invested": invested,
                                 "realised": realised, "nav": nav_f})
    projects_out["moic"] = (projects_out["realised"] + projects_out["nav"]) / \
        projects_out["invested"].where(projects_out["invested"] > 0)
    g = pd.concat([pj[["project_id", "day", "signed_f"]],
                   pd.DataFrame({"project_id": proj.index,
                                 "day": (as_of - epoch).days, "signed_f": nav_f.to_numpy()})])
    projects_out["gross_irr"] = grouped_xirr(g, "project_id", "day", "signed_f")

    # funds
    fund_ids = funds["fund_id"]
    proj_nav = projects_out.groupby("fund")["nav"].sum().reindex(fund_ids).fillna(0.0)
    inv_f = projects_out.groupby("fund")["invested"].sum().reindex(fund_ids).fillna(0.0)
    real_f = projects_out.groupby("fund")["realised"].sum().reindex(fund_ids).fillna(0.0)
    fo = pd.DataFrame(index=fund_ids)
    fo["paid_in"] = paid_in.reindex(fund_ids).fillna(0.0)
    fo["distributions"] = dists.reindex(fund_ids).fillna(0.0)
    fo["cash"] = cash_in.reindex(fund_ids).fillna(0.0) - inv_f + real_f - fo["distributions"]
    fo["nav"] = proj_nav + fo["cash"]
    pi = fo["paid_in"].where(fo["paid_in"] > 0)
    fo["dpi"] = fo["distributions"] / pi
    fo["rvpi"] = fo["nav"] / pi
    fo["tvpi"] = (fo["distributions"] + fo["nav"]) / pi
    dday = (as_of - epoch).days
    net = pd.concat([pf[["fund_id", "day", "signed"]],
                     pd.DataFrame({"fund_id": fund_ids, "day": dday,
                                   "signed": fo["nav"].to_numpy()})])
    fo["net_irr"] = grouped_xirr(net, "fund_id", "day", "signed")
    gross = pd.concat([pj[["fund_id", "day", "signed_f"]],
                       pd.DataFrame({"fund_id": fund_ids, "day": dday,
                                     "signed_f": proj_nav.to_numpy()})])
    fo["gross_irr"] = grouped_xirr(gross, "fund_id", "day", "signed_f")

    # partners: interest at D, NAV share by largest remainder, net IRR
    cm = commitments[commitments["date"] <= as_of] \
        .groupby(["fund_id", "partner_id"], as_index=False)["amount"].sum()
    cm["interest"] = cm["amount"] / cm.groupby("fund_id")["amount"].transform("sum")
    cm["nav"] = 0.0
    fund_nav_cents = (fo["nav"] * 100.0).round()
    for fid, idx in cm.groupby("fund_id").groups.items():
        part = cm.loc[idx]
        cm.loc[idx, "nav"] = largest_remainder(
            float(fund_nav_cents.get(fid, 0.0)), part["interest"].to_numpy(),
            part["partner_id"].to_numpy()) / 100.0
    cm["key"] = cm["fund_id"] + "|" + cm["partner_id"]
    pf["key"] = pf["fund_id"] + "|" + pf["partner_id"]
    pnet = pd.concat([pf[["key", "day", "signed"]],
                      pd.DataFrame({"key": cm["key"], "day": dday,
                                    "signed": cm["nav"].to_numpy()})])
    cm = cm.set_index("key")
    cm["net_irr"] = grouped_xirr(pnet, "key", "day", "signed")

    # chains: exposure sums per fund (fund currency) and portfolio-wide (CNY)
    proj_x = projects.merge(funds[["fund_id", "currency"]].rename(
        columns={"currency": "fund_currency"}), on="fund_id")
    proj_x = rate_at(fx, proj_x, "commitment_date", "currency", "r_c")
    proj_x = rate_at(fx, proj_x, "commitment_date", "fund_currency", "r_cf")
    proj_x = proj_x.set_index("project_id")
    proj_x["committed_cny"] = proj_x["commitment_amount"] * proj_x["r_c"]
    proj_x["committed_f"] = proj_x["committed_cny"] / proj_x["r_cf"]
    proj_x["nav_f"] = nav_f
    proj_x["nav_cny"] = nav_cny
    proj_x["invested"] = invested
    proj_x["realised"] = realised
    inv_cny = pj[is_inv].groupby("project_id")["amt_cny"].sum()
    real_cny = pj[is_out].groupby("project_id")["amt_cny"].sum()
    proj_x["invested_cny"] = inv_cny.reindex(proj_x.index).fillna(0.0)
    proj_x["realised_cny"] = real_cny.reindex(proj_x.index).fillna(0.0)
    chain_f = proj_x.groupby(["fund_id", "chain"]).agg(
        count=("nav_f", "size"), committed=("committed_f", "sum"),
        invested=("invested", "sum"), realised=("realised", "sum"), nav=("nav_f", "sum"))
    chain_f["moic"] = (chain_f["realised"] + chain_f["nav"]) / \
        chain_f["invested"].where(chain_f["invested"] > 0)
    chain_f["nav_share"] = chain_f["nav"] / chain_f.groupby(level=0)["nav"].transform("sum")
    chain_p = proj_x.groupby("chain").agg(
        count=("nav_cny", "size"), committed=("committed_cny", "sum"),
        invested=("invested_cny", "sum"), realised=("realised_cny", "sum"),
        nav=("nav_cny", "sum"))
    chain_p["moic"] = (chain_p["realised"] + chain_p["nav"]) / \
        chain_p["invested"].where(chain_p["invested"] > 0)
    chain_p["nav_share"] = chain_p["nav"] / chain_p["nav"].sum()
    t2 = time.perf_counter()

    # ---- write the results as long rows (dimension, fund, key, metric, value)
    def longform(frame, dimension, fund_col=None):
        f = frame.copy()
        f.index.name = "key"
        f = f.reset_index()
        if fund_col is None:
            f["fund"] = f["key"] if dimension == "fund" else ""
        else:
            f = f.rename(columns={fund_col: "fund"})
        m = f.melt(id_vars=["fund", "key"], var_name="metric", value_name="value")
        m.insert(0, "dimension", dimension)
        return m

    cmo = cm.reset_index()[["fund_id", "partner_id", "interest", "nav", "net_irr"]] \
        .set_index("partner_id")
    cf = chain_f.reset_index().set_index("chain")
    out = pd.concat([
        longform(fo, "fund"),
        longform(cmo, "partner", "fund_id"),
        longform(projects_out, "project", "fund"),
        longform(cf, "chain", "fund_id"),
        longform(chain_p, "chain"),
    ], ignore_index=True)
    out.to_csv(out_path, index=False)
    t3 = time.perf_counter()
    print("import_s=%.3f load_s=%.3f compute_s=%.3f write_s=%.3f results=%d" % (
        T_IMPORTED - T_START, t1 - t0, t2 - t1, t3 - t2, len(out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
