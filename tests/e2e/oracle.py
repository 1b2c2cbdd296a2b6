#!/usr/bin/python3
"""Independent oracle for a data set of CSVs and the engine's export of its close
(default: the sample data set, models/sample, as of 2024-06-30 with benchmark csi300).

    /usr/bin/python3 tests/e2e/oracle.py [--as-of D] [--benchmark ID] DIR EXPORT.json

Runs on models/sample (sample.sh, five closes), tests/e2e/data/terms (terms.sh,
fund economics: any fund with a row in fund_terms.csv), tests/e2e/data/accounts
(accounts.sh; edges.sh adds edge cases to it) and the generator's scale-1 data
(gen_oracle.sh; terms_gen.sh adds terms to it); oracle_mutations.sh and terms.sh
check that it catches a broken export.

Computes the figures of SPEC sections 5 and 10 from the CSVs alone (standard library
only; written without reading the engine's source) and compares them with the
engine's export (SPEC section 6). Prints one line per mismatch ("FAIL ...") and
ends with "N passed, N failed"; exits 1 on any failure.

Besides the figures it checks the export's shape (run header, value null <=>
reason, names from SPEC 6, one row per (dimension, fund, key, metric)) and
that partners' commitment, paid-in, distributions, NAV, cash and unfunded sum
exactly to the fund's (SPEC 8). The capital accounts (`account`), NAV history
(`nav_history`) and chain returns (`chain_return`) are recomputed whole: a row
there that the oracle does not expect fails, every line of the partners' accounts
must sum to the fund's, and every account's NAV and unfunded roll-forwards must
balance (both from the export alone). For a fund with terms (SPEC 10) it also
checks from the export alone: sum of partners' NAV net + accrued carry = fund NAV
to the fen, A = E - K, clawback = max(0, -A), nav_net = F - A, partners'
carry_charged / carry_accrued sum to K / A, partners' distributions + K = all
distributions of the CSVs (carry is nobody's distribution), the waterfall's
distributed tiers sum to the gross distributions and the hypothetical ones to V - K,
each tier's total is distributed + hypothetical (all to the fen); `waterfall`
and `fees` rows are recomputed whole.

Tolerances: money exact to the cent (each converted flow rounded to the cent,
half away from zero); counts exact; ratios 1e-9 relative; IRRs 1e-6 absolute.

----------------------------------------------------------------------------
Hand calculations (the human-readable anchor; the code below must agree)
----------------------------------------------------------------------------
F-CN (CNY), D = 2024-06-30
  commitments: ICBC 40M + SCGF 30M + PICC 20M + CDHT 10M      = 100,000,000.00
  paid-in (reversal pair CN-C02-PICC-X / -R drops out):
    ICBC 8,000,000 + 200,000 + 4,000,000                        = 12,200,000
    SCGF 6,000,000 + 150,000 + 3,000,000                        =  9,150,000
    PICC 4,000,000 + 100,000 + 2,000,000                        =  6,100,000
    CDHT 2,000,000 + 100,000 + 1,000,000                        =  3,100,000
                                                        PI      = 30,550,000.00
  distributions: return of capital 4,000,000 (recallable) + gain 1,000,000
                                                                =  5,000,000.00
  cash = contributions for investment/other 30,000,000
         - project investments (10M + 8M + 5M + 8M) 31,000,000
         + project inflows (0.3M div + 11M proceeds + 0.5M div) 11,800,000
         - distributions 5,000,000                              =  5,800,000.00
  project NAV: P-CN-01 valued 20,000,000 on 2024-06-30 (no later flows);
               P-CN-02 valued 10,500,000 on 2024-06-30;
               P-CN-03 valued 0 on 2023-12-31 (exited)          = 30,500,000.00
  fund NAV = 30,500,000 + 5,800,000                             = 36,300,000.00
  unfunded = 100,000,000 - 30,550,000 + 4,000,000 recallable    = 73,450,000.00
  TVPI = (5,000,000 + 36,300,000) / 30,550,000 = 1.35188216...
  leverage = 100M / 30M (SCGF is the only guidance fund) = 3.3333...
  SCGF reinvestment = P-CN-01 invested in PK-CD (CN-SC) 15,000,000 / 30,000,000
                    = 0.5
  crowd-in = (31,000,000 invested + 10,000,000 co-investment) / 31,000,000
F-US (USD)
  PI = 1,500,000 + 25,000 + 1,000,000 + 4,500,000 + 75,000 + 3,000,000
                                                                = 10,100,000.00
  cash = 10,000,000 - (5,000,000 USD + 3,500,000 EUR x 6.9/6.9 on 2022-09-01)
         + 200,000 dividend - 200,000 distributed              =  1,500,000.00
  P-US-02 NAV = 4,100,000 EUR x 7.6617 / 7.1268 (both rates of 2024-06-28,
                the latest on or before D) = 4,407,724.3644... -> 4,407,724.36
  fund NAV = 6,500,000 + 4,407,724.36 + 1,500,000               = 12,407,724.36
  partners' NAV: ICBC 25% = 3,101,931.09, SDIC 75% = 9,305,793.27 (exact; the
  largest-remainder step has no remainder to hand out on this data set)
Portfolio (CNY): P-US-02 NAV = 4,100,000 x 7.6617 = 31,412,970.00 (converted
  directly from EUR to CNY, not via the rounded USD figure).
F-CN capital account, since inception (S = 2021-01-14), LP-CDHT (the late
  closer: committed 2022-01-10, its catch-up call the same day):
  beginning NAV 0 (no commitment of it at S)
  + contributions: investment 2,000,000 + 1,000,000 = 3,000,000; management fee 100,000
  - distributions: return of capital 400,000 (recallable), gain 100,000
  + management fees -100,000 (minus the fee contributions)
  + investment income 10% of the fund's 800,000 (0.3M + 0.5M dividends) = 80,000
  + change in value (balancing)                                  =  1,050,000
  = ending NAV, 10% of 36,300,000                                =  3,630,000.00
  unfunded: 0 + new commitments 10,000,000 - contributions 3,100,000
            + recallable 400,000 + floor adjustment 0            =  7,300,000.00
F-CN month (S = 2024-05-31), the fund: beginning NAV at S = P-CN-01 18,000,000
  (valuation of 2023-12-31; the 2024-06-28 dividend does not roll) + P-CN-02
  9,000,000 + cash (30M - 31M + 11.3M - 5M) 5,300,000 = 32,300,000.00; income
  500,000 (P-CN-01 dividend); ending 36,300,000; change in value 3,500,000 =
  projects' NAV 30,500,000 - 27,000,000 - investments 0 + proceeds 0.
Data set tests/e2e/data/accounts, F-AC (CNY), D = 2024-05-15, month S = 2024-04-30:
  commitments at S: LP-A 30M + 5M top-up of 2024-04-10, LP-B 20M, LP-C 7M,
    LP-D 13M (late closer, 2023-09-15) = 75,000,000; at D also LP-G 5M (a second
    late closer, 2024-05-05) = 80,000,000 (LP-F's of 2024-06-01 is after D)
  beginning NAV: P-AC-01 10,800,000 (2024-03-31) + P-AC-02 8,000,000 (cost-valued
    2023-12-31) + P-AC-03 0 (exited) + P-AC-04 USD 550,000 x 7.1084 = 3,909,620.00
    + cash 31,345,678.90 - 23,589,900.00 + 5,175,000.00 - 2,206,234.56
    = 10,724,544.34                                              = 33,434,164.34
  contributions: LP-G's catch-up investment 2,000,000, other 12,345.67, management
    fee 50,000 + LP-A's 25,000, expenses 11,666.67 (total 2,099,012.34; the
    999,999.99 call and its reversal drop out); distributions: return of capital
    100,000, gain 50,000
  investment income: USD 12,345.67 x 7.1002 = 87,656.7262 -> 87,656.73
    + 120,000 + 40,000                                           =    247,656.73
  ending NAV: projects 10,800,000 + (8,000,000 - 2,000,000 repaid on D)
    + USD 550,000 x 7.1028 = 3,906,540.00 = 20,706,540.00; cash 10,724,544.34
    + 2,012,345.67 + 247,656.73 + 2,000,000 - 150,000 = 14,834,546.74
                                                                 = 35,541,086.74
  change in value = 35,541,086.74 - 33,434,164.34 - 2,099,012.34 + 150,000
    + 75,000 + 11,666.67 - 247,656.73                            =     -3,080.00
    = projects 20,706,540 - 22,709,620 - 0 + 2,000,000 (the USD rate's move on
      P-AC-04: 550,000 x (7.1028 - 7.1084) = -3,080).
  LP-G (not a partner at S): beginning 0; ending 5/80 x 35,541,086.74 =
    2,221,317.92125 -> 2,221,317.92; income 5/80 x 247,656.73 = 15,478.545625 ->
    15,478.55 (largest remainder); change in value 2,221,317.92 - 2,062,345.67
    + 50,000 - 15,478.55 = 193,493.70 (what its catch-up buys from the others).
  LP-C unfunded (paid in past its commitment, then a recallable distribution):
    raw at S = 7,000,000 - 7,172,880.66 paid in + 140,000 recallable = -32,880.66
    beginning 0; less contributions -1,166.67; plus recallable 100,000; floor
    adjustment max(0, -65,952.67) - max(0, 32,880.66) = -32,880.66; ending 65,952.67.
  LP-D since inception: new commitments 13,000,000; less contributions
    -(5,200,000 + 165,000 + 2,166.66 + 45,678.90 other) = -5,412,845.56; plus
    recallable 260,000; ending unfunded 7,847,154.44.

Data set tests/e2e/data/terms (terms.sh), fund economics (SPEC 10), D = 2024-06-30:
F-US (USD): simple 8 % hurdle, carry 20 %, catch-up 0.5; GP-US (kind gp) has no
  commitment; carry class = LP-ICBC 5M + LP-SDIC 15M, interest_class = 1.
  calls (every purpose): 2022-03-15 6,100,000; 2022-08-20 4,000,000    C = 10,100,000
  gross distribution 2024-03-31: class income 200,000 + carry paid 1,000,000
    = 1,200,000, all tier 1 (capital unreturned)       return_of_capital distributed
  F = 12,407,724.36 (the sample's) - 1,000,000 carry = 11,407,724.36; K = 1,000,000
  V = 1 x (F + K) = 12,407,724.36, the hypothetical final distribution:
    H(D) = 6,100,000 (1 + .08 x 838/365) + 4,000,000 (1 + .08 x 680/365)
           - 1,200,000 (1 + .08 x 91/365)                  = 10,592,624.6575...
    tier 1 return_of_capital  10,100,000 - 1,200,000        =  8,900,000.00
    tier 2 preferred_return   H(D) - 8,900,000              =  1,692,624.66
    tier 3 catch-up: u with 0.5 u = 20 % (1,692,624.66 + u): u = P x .2/.3
           = 1,128,416.44: catch_up_gp 564,208.22, catch_up_lp 564,208.22
    tier 4 rest 12,407,724.36 - 8,900,000 - 1,692,624.66 - 1,128,416.44
           = 686,683.26: split_gp 137,336.65, split_lp 549,346.61
  E = 564,208.22 + 137,336.65 = 701,544.87 (= 20 % x (13,607,724.36 - 10,100,000))
  A = E - K = -298,455.13: clawback 298,455.13 (the GP was paid ahead of the
    waterfall); nav_net = F - A = 11,706,179.49
  partners: NAV net (V - E) x 1/4 = 2,926,544.8725 -> 2,926,544.87 (LP-ICBC),
    x 3/4 = 8,779,634.6175 -> 8,779,634.62 (LP-SDIC); GP-US 0; sum + A = F.
    carry_charged 250,000 / 750,000; carry_accrued -74,613.7825 / -223,841.3475
    -> largest remainder (floors -74,613.79 / -223,841.35, the cent to the larger
    remainder, LP-ICBC): -74,613.78 / -223,841.35.
F-CN (CNY): compound 8 %, carry 20 %, full catch-up; GP-CN (gp) committed 1M and
  paid its calls (300,000; got 50,000 back); LP-CDHT carry-exempt; carry class =
  ICBC 40M + SCGF 30M + PICC 20M of 101M: interest_class = 90/101.
  calls: 2021-02-01 18,450,000 (fees included); 2022-06-30 9,000,000  C = 27,450,000
  gross distributions: 2023-12-20 4,500,000 (class roc 3.6M + gain 0.9M);
    2024-06-28 carry 100,000: both tier 1               distributed roc 4,600,000
  F = 36,300,000 + 300,000 - 50,000 - 100,000 = 36,450,000; K = 100,000
  V = 90/101 x 36,550,000 = 32,569,306.9307 -> 32,569,306.93 (to the fen, T13)
  H(D) = 18.45M x 1.08^(1245/365) + 9M x 1.08^(731/365) - 4.5M x 1.08^(193/365)
         - 0.1M x 1.08^(2/365)                               = 29,701,387.7120
    tier 1 return_of_capital  27,450,000 - 4,600,000         = 22,850,000.00
    tier 2 preferred_return   H(D) - 22,850,000              =  6,851,387.71
    tier 3 catch_up_gp        .2/.8 x 6,851,387.7120         =  1,712,846.93
           catch_up_lp                                       =          0.00
    tier 4 rest 32,569,306.93 - 22,850,000 - 6,851,387.7120 - 1,712,846.9280
           = 1,155,072.2900: split_gp 231,014.46, split_lp 924,057.83
  E = 1,943,861.386 -> 1,943,861.39 (= 20 % x (4,600,000 + 32,569,306.93 - 27,450,000))
  A = 1,843,861.39; nav_net = 34,606,138.61
  concession: LP-SCGF gives 10 % x 30/90 x 924,057.8320 = 30,801.93; LP-ICBC gets
    2/3 of it, 20,534.62; LP-PICC 1/3, 10,267.31
  NAV net: V - E = 30,625,445.5440; ICBC 40/90 of it + 20,534.6185 = 13,631,843.75;
    SCGF 30/90 - 30,801.9277 = 10,177,679.92; PICC 20/90 + 10,267.3092 =
    6,815,921.87; LP-CDHT 10/101 x (F + K) = 3,618,811.88; GP-CN 1/101 x (F + K)
    = 361,881.19; sum 34,606,138.61 = F - A.
  fees: 2 % of 100,000,000 (GP-CN's own commitment excluded) from 2021-01-15:
    2021 x 351/365 = 1,923,287.67; 2022 and 2023 2,000,000.00; after 2023-12-31
    1.5 % of invested 23,000,000 (P-CN-01 15M + P-CN-02 8M; P-CN-03 exited
    2023-12-15) x 182/365 = 172,027.40; since inception (rounded once)
    6,095,315.07; called 550,000.00; difference -5,545,315.07.
F-CB (CNY): compound 8 %, carry 20 %, full catch-up; class LP-CBK 10M + LP-PICC 5M
  (interest_class 1; GP-CB has no commitment). The whole-life clawback test (T3):
  calls 2022-01-10 9,150,000 (fees included); 2023-06-30 4,500,000  C = 13,650,000
  gross distribution 2023-01-20: class 12,750,000 + carry paid 750,000 = 13,500,000
    tier 1 9,150,000.00; tier 2 9,150,000 x (1.08^(375/365) - 1) = 752,858.39;
    catch-up .2/.8 x 752,858.39 = 188,214.60 (GP); rest 3,408,927.01: split_gp
    681,785.40, split_lp 2,727,141.61; the GP's tiers 870,000.00 = 20 % of
    (13,500,000 - 9,150,000)
  the 2023-06-30 call reopens tier 1; P-CB-01 written down to 900,000 at D:
  F = 900,000, K = 750,000, V = 1,650,000: all tier 1 (hypothetical roc)
  H after V = 9,150,000 x 1.08^(902/365) - (9,150,000 + 752,858.39 + 2,727,141.61)
    x 1.08^(527/365) + 4,500,000 x 1.08^(366/365) - 1,650,000  = 163,367.78 > 0
  P = 13,500,000 + 1,650,000 - 13,650,000 = 1,500,000; carry x P = 300,000
  E = min(300,000, 870,000 - 163,367.78) = 300,000.00; A = -450,000.00 (clawback
    450,000.00); nav_net = 1,350,000.00: LP-CBK 900,000.00, LP-PICC 450,000.00.

----------------------------------------------------------------------------
Readings of the SPEC where it is not explicit (stated, so a difference is
traceable)
----------------------------------------------------------------------------
SPEC 10 (fund economics); those marked README are the engine's stated readings,
adopted here because SPEC 10 is silent:
T1  (README) Tiers 1-2 take 100 % while H > 0 or capital is unreturned (tier 1 the
    part up to the unreturned capital, tier 2 the rest); H(s) is computed afresh at
    each gross distribution from every call and every class part before it.
T2  The class's part l_j of a gross distribution (in H) is what the waterfall
    allocates to the class (tiers 1, 2, catch_up_lp, split_lp), not what the class
    was actually paid: a carry paid ahead of the waterfall counts as the class's.
T3  (README) E after a whole-life clawback test at the hypothetical liquidation:
    E = max(0, min(carry x P, T34 - max(0, H after V))), T34 the GP's tiers 3-4
    (distributed and hypothetical), P = all gross distributions + V - all calls:
    the GP gives back the greater of its carry beyond carry x P and what the class
    still lacks of its hurdle (the usual LPA clawback). The README's words "at most
    carry x P, less whatever H still owes the class after V" also read as
    min(T34, carry x P) - H+, which the oracle first took: on F-CB (above) that is
    300,000 - 163,367.78 = 136,632.22 against the engine's 300,000.00; but paying
    the class its missing 163,367.78 out of the GP's 870,000 leaves 706,632.22,
    more than the cap, so subtracting H+ from the cap charges the shortfall twice.
    SPEC 10's own text has no clawback test (E = T34 = 870,000.00 there).
T4  (README) The GP's own commitment (and any partner of kind gp) is an ordinary
    account: G = interest x (F + K), never charged carry.
T5  (README) NAV net: one largest-remainder pass over F - A (A from E rounded to
    the cent, half away from zero) with the exact figures as weights, ties to the
    smaller id; carry_charged / carry_accrued: K and A split over the class by
    commitment, largest remainder.
T6  Concession: c x the class's tiers 3-4 (catch_up_lp + split_lp, distributed
    and hypothetical) x the guidance fund's share of the class, to the class's
    other members by commitment (lps) or to the GP (gp); rows concession_given /
    concession_received exist only when the terms grant one; rounded to the cent
    for display, exact in the NAVs (README).
T7  (README) A concession to a GP that is no partner of the fund is not applied.
T8  With terms, a partner with flows in the fund but no commitment (a GP paid
    carry only) is one of the fund's partners, with zero figures.
T9  (README) Fee control: daily from inception through D, rate x basis / 365,
    summed per calendar year and since inception and rounded once per period;
    basis `commitment` = commitments dated on or before D of partners other than
    the GP and kind gp; `invested` = investments (fund currency at their dates)
    dated on or before the day of projects not exited on or before it; `nav` =
    projects' NAV at the last quarter end strictly before the day; after
    investment_period_end (the day after it on) the _after rate (default the same)
    and basis (default invested). called = management_fee contributions of the
    calendar year (every partner).
T10 (README) Capital accounts of a fund with terms (or carry paid) add
    carried_interest (- carry paid in the period; a partner's is the change of its
    carry_charged from S to D, each a largest-remainder split of K to date: a
    split of the period's K alone differs by a cent on the generator's data,
    F007 YTD, LP0049 300,325.25 against 300,325.24 — SPEC 10 is silent) and accrued_carry_change (- (A_D - A_S))
    inside the roll-forward, and the memo lines accrued_carry_beginning (A_S),
    carry_paid, incentive_allocation_change (A_D - A_S + paid),
    accrued_carry_ending (A_D), ending_nav_gross (ending NAV + A_D); beginning and
    ending NAVs are net, the waterfall rerun at S. A partner's A is its
    carry_accrued. The fund's change in value stays the projects' gain (asserted).
T11 The fund's J-curve (nav_history) leaves carry out of `distributions` (it is no
    LP distribution) and keeps `nav` = F; fund `distributions`/`dpi` exclude K;
    fund PMEs end at F - A and partners' at their NAV net (mPME weights: NAV by
    interest at each date, as before).
T12 Waterfall tiers that split an amount by a ratio (catch_up_gp/_lp,
    split_gp/_lp) may show either cent next to the exact figure: the engine rounds
    the tier amount before splitting it (seen as of 2024-03-31: F-US catch_up_gp
    exact 505,037.4429, engine 505,037.45; split_lp exact 395,904.3483, engine
    395,904.34); return_of_capital, preferred_return, E and everything else are
    the exact figure rounded once, half away from zero.
T13 The hypothetical final distribution V = interest_class x (F + K) is money,
    rounded to the fen (half away from zero) before the waterfall runs. Found on
    the generator's data with terms (terms_gen.sh): F001 at 2024-07-31 ends inside
    a full catch-up, so E = V - tiers 1-2: exact V gives E = 28,596,124,979.67
    cents -> 285,961,249.80; V to the fen 28,596,124,979.18 cents -> 285,961,249.79,
    the engine's.
D1  SPEC 10 as written counts carry paid twice: V = interest_class x (F + K) adds
    K back, and the gross distributions already include K at its date. Oracle and
    engine both take the final hypothetical distribution as V - K (the class's NAV
    before accrual, SPEC's own "V - K"); the text's V made E too large by about
    carry x K (F-CN: 1,943,861.39 against 1,923,861.39; F-US: 701,544.87 against
    407,549.85, the catch-up amplifying it; F-CB: carry x P = 300,000 against
    150,000). The hand-worked tiers above were written with V and are superseded
    for the hypothetical tier amounts by this reading. Example: one LP pays in 100, the fund is worth 200
    and pays the GP 20 (F = 180, K = 20; no hurdle): the gross distributions are
    20 + V = 20 + 200 = 220, so E = 20 % x 120 = 24, not 20 % x 100 = 20.
R1  Flows dated after D are removed first; then a flow and the flow that
    reverses it drop out together (a reversal dated after D is not yet known).
R2  Cross-currency conversion goes through CNY: amount x rate(from, d) /
    rate(to, d), rounded to the cent half away from zero, per flow. Portfolio
    (CNY) figures convert each flow from its own currency directly.
R3  Partner cash, like NAV, is the fund's x interest with largest remainder.
R4  Partner interest = commitment / fund commitments dated on or before D.
R5  Exposure `committed` converts at the project's commitment date;
    `project_unfunded` = max(0, commitment - investments) in the project's
    currency, converted at D.
R6  Exposure gross IRR: the group's project flows in the target currency
    (investments negative, all inflows positive) plus the group's NAV at D.
R7  Project counts: invested = has an investment on or before D; held = NAV > 0
    and not exited; exited = exit_date on or before D; listed = listed_date on
    or before D (whether or not since exited).
R8  reinvestment exists for guidance-fund partners only (others: null or
    absent); leverage with no guidance-fund partner is null with a reason.
R9  PME: contributions are all contributions (PI, fees included), distributions
    all distributions; index level = latest on or before the date.
    LN-PME = IRR(-c_i, d_i, NAV_LN) with NAV_LN = sum((c_i - d_i) I_D/I_i);
    PME+ = IRR(-c_i, s d_i, NAV) with s = (sum c_i I_D/I_i - NAV) /
    sum d_i I_D/I_i; Direct Alpha as SPEC (the XIRR, not ln(1+XIRR)).
R10 Risk: quarters (S, E] from the quarter of the chain's first flow to D;
    NAV_begin = chain NAV at S, NAV_end at E (CNY at the rate on or before
    that date); a flow on E has weight 0; stdev is the sample stdev;
    correlation over the quarters where both chains have a return.
R12 mPME (Cambridge Associates): a shadow index position takes every
    contribution; at each distribution date t it pays out the fraction
    w = d_t / (d_t + NAV_t) of itself (NAV_t: the LP's NAV at t after that
    day's flows, fund NAV incl. cash; a partner's = fund's x interest at t,
    largest remainder); mPME = IRR(-c_t, shadow payouts, shadow value at D).
R13 A rolled-forward project NAV is floored at 0, like cost (SPEC states the
    floor only for cost). On this data set it matters only between a
    valuation and a larger exit: P-CN-03 on 2023-12-20 would be
    8,500,000 - 11,000,000 = -2,500,000; floored, 0. That changes the F-CN
    mPME weight of the 2023-12-20 distribution (the engine floors too: with
    -2.5M the F-CN mPME would be -0.031253, the engine's is -0.030815).
R14 Account periods end at D and start (exclusive) the day before the first day
    of D's month / quarter / year, or the day before the fund's inception (ITD);
    a period whose start is on or after D has no rows. Commitment interest for
    the beginning NAV is taken at the start date, for the ending NAV and the
    period's investment income at D.
R15 With no commitment yet at a date, a NAV splits by paid-in at that date
    (README); with neither, each partner's share is 0.
R16 nav_history: the portfolio's month ends run from the month of the first
    project flow (after R1, projects committed on or before D) to D; a chain's
    NAV on t sums the projects committed on or before t, each converted to CNY
    at the rate on or before t. A fund's J-curve runs from its inception month;
    paid_in and distributions are cumulative to t, nav is the fund NAV with cash.
R17 A project without a theme is grouped under the theme key `none` (the SPEC
    makes theme optional and is silent on the key; the engine uses `none`).
R18 A project committed after D is not counted anywhere (like a flow after D).
R19 A fund whose inception is after D is not yet there: no rows at all. A fund
    with commitments but nothing paid in has its multiples, IRRs, PMEs, MOIC and
    its own nav_share/cost_share (0/0) null with a reason.
R11 Each (dimension, fund, key, metric) names one figure. A fund's own rows
    carry `nav` once, as the fund NAV with cash (SPEC §6); the projects-only NAV
    is not repeated there (this oracle found it exported twice, since fixed), and
    `interest` is 1 for the fund itself.
"""
import bisect
import csv
import datetime as dt
import json
import math
import os
import sys
from decimal import Context, Decimal
from fractions import Fraction as Fr

AS_OF = dt.date(2024, 6, 30)
BENCH = "csi300"
D = dt.date.fromisoformat

# ---------------------------------------------------------------- loading


def load(dirname, kind):
    with open(os.path.join(dirname, kind + ".csv"), newline="", encoding="utf-8-sig") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


_CENTS = {}


def cents(s):
    """A decimal string with at most 2 decimals -> integer cents (exact)."""
    c = _CENTS.get(s)
    if c is None:
        q = Fr(s) * 100
        assert q.denominator == 1, s
        c = _CENTS[s] = int(q)
    return c


def round_cent(x):
    """Fraction of cents -> int cents, half away from zero."""
    s = -1 if x < 0 else 1
    return s * math.floor(abs(x) + Fr(1, 2))


def is_tie(x):
    return (abs(x) - math.floor(abs(x))) == Fr(1, 2)


class Data:
    def __init__(self, dirname):
        g = lambda k: load(dirname, k)
        self.parks = {r["park_id"]: r for r in g("parks")}
        self.enterprises = {r["enterprise_id"]: r for r in g("enterprises")}
        self.funds = {r["fund_id"]: r for r in g("funds")
                      if D(r["inception_date"]) <= AS_OF}  # R19
        self.partners = {r["partner_id"]: r for r in g("partners")}
        self.projects = {r["project_id"]: r for r in g("projects")
                         if D(r["commitment_date"]) <= AS_OF}  # R18
        self.commitments = [r for r in g("commitments") if D(r["date"]) <= AS_OF]
        self.pflows = self.effective(g("partner_flows"))
        self.jflows = self.effective(g("project_flows"))
        self.valuations = [r for r in g("valuations") if D(r["date"]) <= AS_OF]
        fx = {}
        for r in g("fx_rates"):
            fx.setdefault(r["currency"], {})[D(r["date"])] = Fr(r["rate"])
        self.fx = {c: (sorted(v), [v[k] for k in sorted(v)]) for c, v in fx.items()}
        bench = {D(r["date"]): Fr(r["level"]) for r in g("benchmarks") if r["index_id"] == BENCH}
        self.bench = (sorted(bench), [bench[k] for k in sorted(bench)])
        self.ties = []
        # SPEC 10: fund_terms (optional file; one row per fund, the last row wins)
        self.terms = {}
        if os.path.exists(os.path.join(dirname, "fund_terms.csv")):
            self.terms = {r["fund_id"]: r for r in g("fund_terms") if r["fund_id"] in self.funds}
        # indexes (speed only; every figure is still computed from these rows)
        self.vals_by = {}  # pid -> ([dates], [cents]) the last row for a date wins
        tmp = {}
        for v in self.valuations:
            tmp.setdefault(v["project_id"], {})[D(v["date"])] = cents(v["value"])
        for p, m in tmp.items():
            ds_ = sorted(m)
            self.vals_by[p] = (ds_, [m[d] for d in ds_])
        self.jflows_by = {}  # pid -> [flow rows] in date order
        for f in sorted(self.jflows, key=lambda f: D(f["date"])):
            self.jflows_by.setdefault(f["project_id"], []).append(f)
        self._conv = {}
        self.pflows_by = {}  # fund -> [partner flow rows]
        for f in self.pflows:
            self.pflows_by.setdefault(f["fund_id"], []).append(f)

    @staticmethod
    def effective(rows):
        rows = [r for r in rows if D(r["date"]) <= AS_OF]  # R1
        gone = set()
        for r in rows:
            if r.get("reverses"):
                gone.add(r["reverses"])
                gone.add(r["flow_id"])
        return [r for r in rows if r["flow_id"] not in gone]

    def rate(self, cur, d):
        if cur == "CNY":
            return Fr(1)
        dates, rates = self.fx.get(cur, ([], []))
        i = bisect.bisect_right(dates, d)
        if i == 0:
            raise SystemExit("oracle: no %s rate on or before %s" % (cur, d))
        return rates[i - 1]

    def conv(self, c, frm, to, d):
        """Integer cents in `frm` -> integer cents in `to` at the rates of date d (R2)."""
        if frm == to or c == 0:  # a zero needs no rate
            return c
        x = c * self.rate(frm, d) / self.rate(to, d)
        if is_tie(x):
            self.ties.append((c, frm, to, d))
        return round_cent(x)

    def level(self, d):
        dates, levels = self.bench
        i = bisect.bisect_right(dates, d)
        if i == 0:
            raise SystemExit("oracle: no %s level on or before %s" % (BENCH, d))
        return levels[i - 1]

    # -------------------------------------------------------- projects

    def proj_nav(self, pid, d=None):
        """Project NAV at d in the project's currency (integer cents)."""
        d = d or AS_OF
        flows = [f for f in self.jflows_by.get(pid, []) if D(f["date"]) <= d]
        dates, values = self.vals_by.get(pid, ([], []))
        i = bisect.bisect_right(dates, d)
        if i:
            last = dates[i - 1]
            nav = values[i - 1]
            for f in flows:
                if D(f["date"]) > last:
                    if f["kind"] == "investment":
                        nav += cents(f["amount"])
                    elif f["kind"] == "proceeds":
                        nav -= cents(f["amount"])
            return max(0, nav)  # R13
        inv = sum(cents(f["amount"]) for f in flows if f["kind"] == "investment")
        pro = sum(cents(f["amount"]) for f in flows if f["kind"] == "proceeds")
        return max(0, inv - pro)

    def flow_in(self, f, to):
        """A project flow's amount converted to `to` at its date (cached)."""
        k = (f["flow_id"], to)
        if k not in self._conv:
            self._conv[k] = self.conv(cents(f["amount"]), f["currency"], to, D(f["date"]))
        return self._conv[k]

    def proj_flows(self, pid, to, d=None):
        """[(date, signed cents in `to`)]: investments negative, inflows positive."""
        d = d or AS_OF
        out = []
        for f in self.jflows_by.get(pid, []):
            fd = D(f["date"])
            if fd > d:
                continue
            a = self.flow_in(f, to)
            out.append((fd, -a if f["kind"] == "investment" else a))
        return out

    def proj_figures(self, pid, to):
        p = self.projects[pid]
        cur = p["currency"]
        flows = self.proj_flows(pid, to)
        inv_own = sum(cents(f["amount"]) for f in self.jflows_by.get(pid, [])
                      if f["kind"] == "investment")
        nav = self.conv(self.proj_nav(pid), cur, to, AS_OF)
        return {
            "count": 1,
            "committed": self.conv(cents(p["commitment_amount"]), cur, to,
                                   D(p["commitment_date"])),
            "invested": -sum(a for _, a in flows if a < 0),
            "realised": sum(a for _, a in flows if a > 0),
            "nav": nav,
            "project_unfunded": self.conv(max(0, cents(p["commitment_amount"]) - inv_own),
                                          cur, to, AS_OF),
            "flows": flows,
        }

    def attrs(self, pid):
        p = self.projects[pid]
        park = self.parks[self.enterprises[p["enterprise_id"]]["park_id"]]
        fund = self.funds[p["fund_id"]]
        return {
            "chain": p["chain"], "segment": p["segment"], "theme": p["theme"] or "none",  # R17
            "region": park["region"],
            "overseas_centre": park["overseas_centre"] or "china",
            "park": park["park_id"], "fund": p["fund_id"],
            "instrument": p["instrument"], "currency": p["currency"],
            "vintage": fund["vintage"],
        }


# ---------------------------------------------------------------- numerics


def xirr(flows):
    """Excel XIRR (actual/365 from the earliest date). Returns (rate, why)."""
    net = {}  # flows on one date net (the same sum; fewer terms)
    for d, a in flows:
        net[d] = net.get(d, 0) + a
    flows = [(d, float(a)) for d, a in sorted(net.items()) if a != 0]
    if not flows:
        return None, "no flows"
    if not (any(a > 0 for _, a in flows) and any(a < 0 for _, a in flows)):
        return None, "no sign change"
    d0 = min(d for d, _ in flows)
    ts = [((d - d0).days / 365.0, a) for d, a in flows]

    def npv(r):
        return sum(a / (1.0 + r) ** t for t, a in ts)

    # find every bracket on a grid, bisect each, keep the root nearest 0.1
    # (a grid of 0.001 for up to 60 dates, 0.01 beyond: the generator's data)
    step = 1000 if len(ts) <= 60 else 100
    # beyond 2000 %, geometrically (a partner admitted days before D can have a
    # legitimate XIRR of thousands of percent)
    grid = ([-0.9999] + [x / step for x in range(-step + 1, step)]
            + [1.0 + x / 10.0 for x in range(1, 200)] + [21.0 * 1.25 ** k for k in range(1, 80)])
    roots = []
    prev_r, prev_v = grid[0], npv(grid[0])
    for r in grid[1:]:
        v = npv(r)
        if v == 0:
            roots.append(r)
        elif (prev_v < 0) != (v < 0) and prev_v != 0:
            lo, hi, flo = prev_r, r, prev_v
            for _ in range(200):
                mid = (lo + hi) / 2
                fm = npv(mid)
                if (fm < 0) == (flo < 0):
                    lo, flo = mid, fm
                else:
                    hi = mid
            roots.append((lo + hi) / 2)
        prev_r, prev_v = r, v
    if not roots:
        return None, "no root"
    roots.sort(key=lambda r: abs(r - 0.1))
    if len(roots) > 1:
        print("note: several IRR roots %s; taking %.9f" % (roots, roots[0]))
    return roots[0], None


def hhi(shares):
    return sum((100 * s) ** 2 for s in shares)


def mean(xs):
    return sum(xs) / len(xs)


def sstdev(xs):
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def pearson(xs, ys):
    mx, my = mean(xs), mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def quarter_ends(first, last):
    """Calendar quarter ends from the quarter containing `first` to `last`."""
    out = []
    y, q = first.year, (first.month - 1) // 3
    while True:
        m = 3 * q + 3
        e = dt.date(y, m, 31 if m in (3, 12) else 30)
        out.append(min(e, last))
        if e >= last:
            return out
        q += 1
        if q == 4:
            y, q = y + 1, 0


# ---------------------------------------------------------------- expectations

MONEY = {"commitment", "paid_in", "distributions", "nav", "cash", "unfunded",
         "committed", "invested", "realised", "project_unfunded",
         # SPEC 10
         "carry_paid", "carry_accrued", "carry_entitled", "clawback", "nav_net",
         "fees_accrued", "fees_called", "fees_difference", "carry_charged",
         "concession_given", "concession_received"}
COUNTS = {"count", "projects_invested", "projects_held", "projects_exited", "projects_listed",
          "projects_written_off"}
RATES = {"net_irr", "gross_irr", "direct_alpha", "ln_pme", "pme_plus", "mpme",
         "net_irr_before_carry", "spread_fees_costs", "spread_carry"}
SPEC_DIMS = {"fund", "partner", "project", "chain", "segment", "theme", "region",
             "overseas_centre", "park", "instrument", "currency", "vintage", "chain_corr",
             "account", "nav_history", "chain_return", "lookthrough", "waterfall", "fees"}
CHAINS = {"energy", "materials", "biomed", "logistics", "equipment", "it", "finance",
          "agriculture"}
SPEC_METRICS = set("""commitment paid_in distributions nav cash unfunded interest tvpi dpi
    rvpi pic net_irr ks_pme direct_alpha ln_pme pme_plus mpme leverage crowd_in
    projects_invested projects_held projects_exited projects_listed reinvestment count
    committed invested realised nav project_unfunded moic gross_irr nav_share cost_share
    hhi top5_share top10_share mean_return stdev_return volatility max_drawdown
    correlation projects_written_off carry_paid carry_accrued carry_entitled clawback nav_net
    net_irr_before_carry spread_fees_costs spread_carry fees_accrued fees_called
    fees_difference carry_charged concession_given concession_received""".split())
# the stored tables the README lists after the results: their metric holds a partner id,
# a J-curve series or a method, so only the dimension is checked
STORED_DIMS = {"account", "nav_history", "chain_return", "lookthrough", "fx", "partner_cny",
               "valuation"}
DIMS = ["chain", "segment", "theme", "region", "overseas_centre", "park",
        "instrument", "currency", "vintage"]


class Expect:
    def __init__(self):
        self.rows = []  # (dimension, fund, key, metric, value)  value None = null

    def add(self, dim, fund, key, metric, value):
        self.rows.append((dim, fund, key, metric, value))


def pme_block(ex, dim, fund, key, ds, lp_flows, nav):
    """lp_flows: [(date, signed cents)] contributions negative; nav cents at D."""
    ID = ds.level(AS_OF)
    c_idx = sum(Fr(-a) * ID / ds.level(d) for d, a in lp_flows if a < 0)
    d_idx = sum(Fr(a) * ID / ds.level(d) for d, a in lp_flows if a > 0)
    ex.add(dim, fund, key, "ks_pme", (d_idx + nav) / c_idx if c_idx else None)
    comp = [(d, Fr(a) * ID / ds.level(d)) for d, a in lp_flows] + [(AS_OF, Fr(nav))]
    ex.add(dim, fund, key, "direct_alpha", xirr(comp)[0])
    nav_ln = c_idx - d_idx
    ex.add(dim, fund, key, "ln_pme", xirr(lp_flows + [(AS_OF, nav_ln)])[0])
    if d_idx:
        s = (c_idx - nav) / d_idx
        ex.add(dim, fund, key, "pme_plus",
               xirr([(d, a * s if a > 0 else a) for d, a in lp_flows] + [(AS_OF, nav)])[0])
    else:
        ex.add(dim, fund, key, "pme_plus", None)


_FUND_NAV = {}


def fund_nav_at(ds, fid, t):
    """Fund NAV (projects + cash) at date t <= D, in the fund's currency (cents)."""
    if (fid, t) in _FUND_NAV:
        return _FUND_NAV[fid, t]
    cur = ds.funds[fid]["currency"]
    pids = [p for p, r in ds.projects.items() if r["fund_id"] == fid]
    nav = sum(ds.conv(ds.proj_nav(p, t), ds.projects[p]["currency"], cur, t) for p in pids)
    for p in pids:
        nav += sum(a for _, a in ds.proj_flows(p, cur, t))  # -investments +inflows
    for f in ds.pflows_by.get(fid, []):
        if D(f["date"]) <= t:
            if f["kind"] == "distribution":
                nav -= cents(f["amount"])
            elif f["purpose"] in ("investment", "other"):
                nav += cents(f["amount"])
    _FUND_NAV[fid, t] = nav
    return nav


def mpme(ds, lp_flows, nav, nav_at):
    """Cambridge Associates mPME IRR (R12). nav_at(t): the LP's NAV at t."""
    shadow, last = Fr(0), None
    out = []
    for t in sorted(set(d for d, _ in lp_flows)):
        if last is not None:
            shadow = shadow * ds.level(t) / ds.level(last)
        last = t
        c = sum(-a for d, a in lp_flows if d == t and a < 0)
        dist = sum(a for d, a in lp_flows if d == t and a > 0)
        shadow += c
        if c:
            out.append((t, -c))
        if dist:
            w = Fr(dist, dist + nav_at(t))
            out.append((t, w * shadow))
            shadow -= w * shadow
    if last is None:
        return None  # no flows (R19)
    shadow = shadow * ds.level(AS_OF) / ds.level(last)
    return xirr(out + [(AS_OF, shadow)])[0]


def largest_remainder(total, weights, ids):
    """Split integer cents `total` by weights (Fractions summing to 1); ties to smaller id."""
    exact = [total * w for w in weights]
    base = [math.floor(x) for x in exact]
    left = total - sum(base)
    order = sorted(range(len(ids)), key=lambda i: (-(exact[i] - base[i]), ids[i]))
    for i in order[:left]:
        base[i] += 1
    return base


def exposure(ex, ds, fund_id, pids, cur):
    """Exposure rows for a scope (fund_id None = portfolio in CNY)."""
    figs = {p: ds.proj_figures(p, cur) for p in pids}
    tot_nav = sum(f["nav"] for f in figs.values())
    tot_inv = sum(f["invested"] for f in figs.values())

    def group_rows(dim, key, members):
        agg = {m: sum(figs[p][m] for p in members) for m in
               ("count", "committed", "invested", "realised", "nav", "project_unfunded")}
        flows = [fl for p in members for fl in figs[p]["flows"]] + [(AS_OF, agg["nav"])]
        for m in ("count", "committed", "invested", "realised", "nav", "project_unfunded"):
            ex.add(dim, fund_id, key, m, agg[m])
        ex.add(dim, fund_id, key, "moic",
               Fr(agg["realised"] + agg["nav"], agg["invested"]) if agg["invested"] else None)
        ex.add(dim, fund_id, key, "gross_irr", xirr(flows)[0])
        ex.add(dim, fund_id, key, "nav_share", Fr(agg["nav"], tot_nav) if tot_nav else None)
        ex.add(dim, fund_id, key, "cost_share", Fr(agg["invested"], tot_inv) if tot_inv else None)
        return agg

    if fund_id is not None:
        for p in sorted(pids):
            group_rows("project", p, [p])
    dims = DIMS if fund_id is not None else ["fund"] + DIMS
    for dim in dims:
        groups = {}
        for p in pids:
            groups.setdefault(ds.attrs(p)[dim], []).append(p)
        shares = []
        for key in sorted(groups):
            agg = group_rows(dim, key, groups[key])
            shares.append(Fr(agg["nav"], tot_nav) if tot_nav else Fr(0))
        shares.sort(reverse=True)
        ex.add(dim, fund_id, "*", "hhi", hhi(shares) if tot_nav else None)
        ex.add(dim, fund_id, "*", "top5_share", sum(shares[:5]) if tot_nav else None)
        ex.add(dim, fund_id, "*", "top10_share", sum(shares[:10]) if tot_nav else None)
    return figs


def fund_block(ex, ds, fid):
    fund = ds.funds[fid]
    cur = fund["currency"]
    pids = sorted(p for p, r in ds.projects.items() if r["fund_id"] == fid)
    comm = {}
    for c in ds.commitments:
        if c["fund_id"] == fid:
            comm[c["partner_id"]] = comm.get(c["partner_id"], 0) + cents(c["amount"])
    total_comm = sum(comm.values())
    pf = [f for f in ds.pflows if f["fund_id"] == fid]
    terms = fid in ds.terms
    # T8: with terms, a partner with flows and no commitment (a GP of kind gp paid
    # carry only) is a partner of the fund too, with zero figures
    lps = sorted(set(comm) | (set(f["partner_id"] for f in pf) if terms else set()))
    for p in lps:
        comm.setdefault(p, 0)

    def lp_figs(flows):
        # SPEC 10: carried-interest distributions are nobody's LP distributions
        flows = [f for f in flows if not is_carry(f)]
        contrib = sum(cents(f["amount"]) for f in flows if f["kind"] == "contribution")
        dist = sum(cents(f["amount"]) for f in flows if f["kind"] == "distribution")
        recall = sum(cents(f["amount"]) for f in flows
                     if f["kind"] == "distribution" and f["recallable"] == "yes")
        cf = [(D(f["date"]), -cents(f["amount"]) if f["kind"] == "contribution"
               else cents(f["amount"])) for f in flows]
        return contrib, dist, recall, cf

    pi, dist, recall, cf = lp_figs(pf)
    # cash (SPEC 5): contributions for investment or other - project investments
    #   + project inflows - distributions, all in the fund currency
    figs = {p: ds.proj_figures(p, cur) for p in pids}
    cash = (sum(cents(f["amount"]) for f in pf if f["kind"] == "contribution"
                and f["purpose"] in ("investment", "other"))
            - sum(f["invested"] for f in figs.values())
            + sum(f["realised"] for f in figs.values())
            - sum(cents(f["amount"]) for f in pf if f["kind"] == "distribution"))
    proj_nav = sum(f["nav"] for f in figs.values())
    nav = proj_nav + cash
    invested = sum(f["invested"] for f in figs.values())

    k = ("fund", fid, fid)
    ex.add(*k, "commitment", total_comm)
    ex.add(*k, "paid_in", pi)
    ex.add(*k, "distributions", dist)
    ex.add(*k, "nav", nav)
    ex.add(*k, "cash", cash)
    # R20: what can still be called is each partner's unfunded, floored on its own,
    # summed (a partner paid in past its commitment does not lower the others')
    ex.add(*k, "unfunded", sum(max(0, comm[p] - lp_figs([f for f in pf if f["partner_id"] == p])[0]
                                  + lp_figs([f for f in pf if f["partner_id"] == p])[2])
                               for p in lps))
    # SPEC 10: with terms the fund's multiples and net IRR end at F - A
    e = None
    net = nav
    if terms:
        e = terms_block(ex, ds, fid, cf, pi, dist, None,
                        [fl for p in pids for fl in figs[p]["flows"]],
                        sum(f["nav"] for f in figs.values()))
        net = nav - e["A"]
    ex.add(*k, "tvpi", Fr(dist + net, pi) if pi else None)  # R19
    ex.add(*k, "dpi", Fr(dist, pi) if pi else None)
    ex.add(*k, "rvpi", Fr(net, pi) if pi else None)
    ex.add(*k, "pic", Fr(pi, total_comm) if total_comm else None)
    ex.add(*k, "net_irr", xirr(cf + [(AS_OF, net)])[0])
    pme_block(ex, *k, ds, cf, net)
    ex.add(*k, "mpme", mpme(ds, cf, nav, lambda t: fund_nav_at(ds, fid, t)))
    gf = sum(v for p, v in comm.items() if ds.partners[p]["kind"] == "guidance_fund")
    ex.add(*k, "leverage", Fr(total_comm, gf) if gf else None)
    co = sum(ds.conv(cents(ds.projects[p]["co_investment"] or "0"), ds.projects[p]["currency"],
                     cur, D(ds.projects[p]["commitment_date"])) for p in pids)
    ex.add(*k, "crowd_in", Fr(invested + co, invested) if invested else None)
    exited = lambda p: ds.projects[p]["exit_date"] and D(ds.projects[p]["exit_date"]) <= AS_OF
    ex.add(*k, "projects_invested", sum(1 for p in pids if figs[p]["invested"] > 0))
    ex.add(*k, "projects_held", sum(1 for p in pids if figs[p]["nav"] > 0 and not exited(p)))
    ex.add(*k, "projects_exited", sum(1 for p in pids if exited(p)))
    ex.add(*k, "projects_listed", sum(1 for p in pids if ds.projects[p]["listed_date"]
                                      and D(ds.projects[p]["listed_date"]) <= AS_OF))
    # issue 9: invested, not exited, nothing left
    ex.add(*k, "projects_written_off", sum(1 for p in pids if figs[p]["invested"] > 0
                                           and not exited(p) and figs[p]["nav"] <= 0))
    # the fund's own exposure rows (R11: `nav` there is the fund NAV with cash only)
    flows = [fl for p in pids for fl in figs[p]["flows"]]
    ex.add(*k, "interest", Fr(1))
    ex.add(*k, "count", len(pids))
    ex.add(*k, "committed", sum(f["committed"] for f in figs.values()))
    ex.add(*k, "invested", invested)
    ex.add(*k, "realised", sum(f["realised"] for f in figs.values()))
    ex.add(*k, "project_unfunded", sum(f["project_unfunded"] for f in figs.values()))
    ex.add(*k, "moic", Fr(sum(f["realised"] for f in figs.values()) + proj_nav, invested)
           if invested else None)
    ex.add(*k, "gross_irr", xirr(flows + [(AS_OF, proj_nav)])[0])
    ex.add(*k, "nav_share", Fr(1) if proj_nav else None)
    ex.add(*k, "cost_share", Fr(1) if invested else None)

    # partners
    w = [Fr(comm[p], total_comm) for p in lps]
    navs = dict(zip(lps, largest_remainder(nav, w, lps)))
    if e is not None:
        navs = {p: e["nav"].get(p, 0) for p in lps}  # net of accrued carry (SPEC 10)
    cashes = dict(zip(lps, largest_remainder(cash, w, lps)))
    for p, wi in zip(lps, w):
        ppi, pdist, precall, pcf = lp_figs([f for f in pf if f["partner_id"] == p])
        k = ("partner", fid, p)
        ex.add(*k, "commitment", comm[p])
        ex.add(*k, "paid_in", ppi)
        ex.add(*k, "distributions", pdist)
        ex.add(*k, "nav", navs[p])
        ex.add(*k, "cash", cashes[p])
        ex.add(*k, "unfunded", max(0, comm[p] - ppi + precall))
        ex.add(*k, "interest", wi)
        ex.add(*k, "tvpi", Fr(pdist + navs[p], ppi) if ppi else None)
        ex.add(*k, "dpi", Fr(pdist, ppi) if ppi else None)
        ex.add(*k, "rvpi", Fr(navs[p], ppi) if ppi else None)
        ex.add(*k, "pic", Fr(ppi, comm[p]) if comm[p] else None)
        ex.add(*k, "net_irr", xirr(pcf + [(AS_OF, navs[p])])[0])
        pme_block(ex, *k, ds, pcf, navs[p])
        if e is not None:
            partner_terms(ex, fid, p, e)

        def pnav_at(t, p=p):
            cm = {}
            for c in ds.commitments:
                if c["fund_id"] == fid and D(c["date"]) <= t:
                    cm[c["partner_id"]] = cm.get(c["partner_id"], 0) + cents(c["amount"])
            ids = sorted(cm)
            tot = sum(cm.values())
            split = largest_remainder(fund_nav_at(ds, fid, t), [Fr(cm[i], tot) for i in ids], ids)
            return dict(zip(ids, split)).get(p, 0)
        ex.add(*k, "mpme", mpme(ds, pcf, navs[p], pnav_at))
        # look-through (R21): the partner's cash share, and the rest of its NAV split
        # among the chains by their project NAV (largest remainder, chains by code)
        ex.add("lookthrough", fid, "cash", p, cashes[p])
        chain_nav = {}
        for q in pids:
            if D(ds.projects[q]["commitment_date"]) <= AS_OF:
                ch = ds.projects[q]["chain"]
                chain_nav[ch] = chain_nav.get(ch, 0) + figs[q]["nav"]
        chs = sorted(chain_nav)
        if chs:
            tw = sum(chain_nav.values())
            wts = [Fr(chain_nav[c], tw) if tw else Fr(1, len(chs)) for c in chs]
            for c, v in zip(chs, largest_remainder(navs[p] - cashes[p], wts, chs)):
                ex.add("lookthrough", fid, c, p, v)
        partner = ds.partners[p]
        if partner["kind"] == "guidance_fund":
            inv = sum(figs[q]["invested"] for q in pids
                      if ds.attrs(q)["region"] == partner["region"])
            ex.add(*k, "reinvestment", Fr(inv, comm[p]))
        else:
            ex.add(*k, "reinvestment", "null-or-absent")
    exposure(ex, ds, fid, pids, cur)


def risk(ex, ds):
    """Quarterly modified-Dietz returns per chain, portfolio in CNY (R10)."""
    chains = {}
    for p in ds.projects:
        chains.setdefault(ds.projects[p]["chain"], []).append(p)
    series = {}
    for ch, pids in sorted(chains.items()):
        flows = []  # (date, cents CNY) positive = money put in
        for p in pids:
            for f in ds.jflows_by.get(p, []):
                fd = D(f["date"])
                a = ds.flow_in(f, "CNY")
                flows.append((fd, a if f["kind"] == "investment" else -a))

        def nav_at(d):
            return sum(ds.conv(ds.proj_nav(p, d), ds.projects[p]["currency"], "CNY",
                               d) for p in pids)

        if not flows:
            continue
        first = min(d for d, _ in flows)
        qs = quarter_ends(first, AS_OF)
        rets = {}
        prev_end = None
        for e in qs:
            s = prev_end if prev_end else _quarter_start(e)
            prev_end = e
            nb, ne = nav_at(s), nav_at(e)
            inq = [(d, a) for d, a in flows if s < d <= e]
            F = sum(a for _, a in inq)
            den = nb + sum(Fr((e - d).days, (e - s).days) * a for d, a in inq)
            if den <= 0:
                continue
            rets[e] = float(Fr(ne - nb - F) / den)
            ex.add("chain_return", None, "%dQ%d|%s" % (e.year, (e.month - 1) // 3 + 1, ch),
                   "return", Fr(ne - nb - F) / den)
        series[ch] = rets
        r = [rets[q] for q in sorted(rets)]
        ex.add("chain", None, ch, "mean_return", mean(r) if r else None)
        ex.add("chain", None, ch, "stdev_return", sstdev(r) if len(r) > 1 else None)
        ex.add("chain", None, ch, "volatility", 2 * sstdev(r) if len(r) > 1 else None)
        wealth, peak, mdd = 1.0, 1.0, 0.0
        for x in r:
            wealth *= 1 + x
            peak = max(peak, wealth)
            mdd = max(mdd, (peak - wealth) / peak)
        ex.add("chain", None, ch, "max_drawdown", mdd if r else None)
    names = sorted(series)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            common = sorted(set(series[a]) & set(series[b]))
            v = None
            if len(common) >= 2:
                v = pearson([series[a][q] for q in common], [series[b][q] for q in common])
            ex.add("chain_corr", None, a + "|" + b, "correlation", v)


def _quarter_start(e):
    """The end of the quarter before the one ending on e (S, exclusive)."""
    m = e.month - (e.month - 1) % 3  # first month of e's quarter
    return dt.date(e.year, m, 1) - dt.timedelta(days=1)


# ---------------------------------------------------------------- capital accounts, NAV history

PERIODS = ("month", "qtd", "ytd", "itd")
ACCOUNT_LINES = ("beginning_nav", "contrib_investment", "contrib_management_fee",
                 "contrib_expenses", "contrib_other", "dist_return_of_capital", "dist_gain",
                 "dist_income", "dist_other", "management_fees", "expenses",
                 "investment_income", "change_in_value", "ending_nav", "commitment",
                 "beginning_unfunded", "new_commitments", "less_contributions",
                 "plus_recallable", "unfunded_adjustment", "ending_unfunded", "interest")
CONTRIB_PURPOSES = ("investment", "management_fee", "expenses", "other")
DIST_PURPOSES = ("return_of_capital", "gain", "income", "other")
INCOME_KINDS = ("dividend", "interest", "fee_income")


def period_start(per, inception):
    """S (exclusive) of a period ending at D: the day before its first day (R14)."""
    if per == "month":
        first = AS_OF.replace(day=1)
    elif per == "qtd":
        first = dt.date(AS_OF.year, AS_OF.month - (AS_OF.month - 1) % 3, 1)
    elif per == "ytd":
        first = dt.date(AS_OF.year, 1, 1)
    else:
        first = inception
    return first - dt.timedelta(days=1)


def commitments_at(ds, fid, t):
    cm = {}
    for c in ds.commitments:
        if c["fund_id"] == fid and D(c["date"]) <= t:
            cm[c["partner_id"]] = cm.get(c["partner_id"], 0) + cents(c["amount"])
    return cm


def split_by_interest(ds, fid, total, t):
    """{partner: cents} of `total` by commitment interest at t, largest remainder
    (ties to the smaller id); with no commitment yet at t, by paid-in at t (R15)."""
    cm = commitments_at(ds, fid, t)
    if not sum(cm.values()):
        cm = {}
        for f in ds.pflows_by.get(fid, []):
            if f["kind"] == "contribution" and D(f["date"]) <= t:
                cm[f["partner_id"]] = cm.get(f["partner_id"], 0) + cents(f["amount"])
    tot = sum(cm.values())
    if not tot:
        return {}
    ids = sorted(cm)
    return dict(zip(ids, largest_remainder(total, [Fr(cm[i], tot) for i in ids], ids)))


def account_lines(flows, comm_begin, comm_end, S, nav_b, nav_e, income, carry=None):
    """The ILPA lines of one account (fund or partner) for the period (S, D].
    carry (SPEC 10): None, or (carry charged in the period, accrued carry at S, at D)."""
    flows = [f for f in flows if not is_carry(f)]  # carry paid: its own line below
    inper = [f for f in flows if S < D(f["date"]) <= AS_OF]
    L = {"beginning_nav": nav_b}
    for p in CONTRIB_PURPOSES:
        L["contrib_" + p] = sum(cents(f["amount"]) for f in inper
                                if f["kind"] == "contribution" and f["purpose"] == p)
    for p in DIST_PURPOSES:
        L["dist_" + p] = sum(cents(f["amount"]) for f in inper
                             if f["kind"] == "distribution" and f["purpose"] == p)
    contrib = sum(cents(f["amount"]) for f in inper if f["kind"] == "contribution")
    dist = sum(cents(f["amount"]) for f in inper if f["kind"] == "distribution")
    L["management_fees"] = -L["contrib_management_fee"]
    L["expenses"] = -L["contrib_expenses"]
    L["investment_income"] = income
    L["ending_nav"] = nav_e
    L["change_in_value"] = (nav_e - nav_b - contrib + dist - L["management_fees"]
                            - L["expenses"] - income)
    if carry is not None:  # T10: inside the roll-forward, and ILPA's memo lines
        paid, a_b, a_e = carry
        L["carried_interest"] = -paid
        L["accrued_carry_change"] = -(a_e - a_b)
        L["change_in_value"] -= L["carried_interest"] + L["accrued_carry_change"]
        L["accrued_carry_beginning"] = a_b
        L["carry_paid"] = paid
        L["incentive_allocation_change"] = a_e - a_b + paid
        L["accrued_carry_ending"] = a_e
        L["ending_nav_gross"] = nav_e + a_e

    def raw(t, comm):
        pi = sum(cents(f["amount"]) for f in flows
                 if f["kind"] == "contribution" and D(f["date"]) <= t)
        rc = sum(cents(f["amount"]) for f in flows if f["kind"] == "distribution"
                 and f["recallable"] == "yes" and D(f["date"]) <= t)
        return comm - pi + rc
    rb, re = raw(S, comm_begin), raw(AS_OF, comm_end)
    L["commitment"] = comm_end
    L["beginning_unfunded"] = max(0, rb)
    L["new_commitments"] = comm_end - comm_begin
    L["less_contributions"] = -contrib
    L["plus_recallable"] = sum(cents(f["amount"]) for f in inper if f["kind"] == "distribution"
                               and f["recallable"] == "yes")
    L["unfunded_adjustment"] = max(0, -re) - max(0, -rb)
    L["ending_unfunded"] = max(0, re)
    # the two roll-forwards balance by construction; say so if they ever do not
    assert (L["beginning_unfunded"] + L["new_commitments"] + L["less_contributions"]
            + L["plus_recallable"] + L["unfunded_adjustment"] == L["ending_unfunded"])
    return L


def account_block(ex, ds, fid):
    fund = ds.funds[fid]
    cur = fund["currency"]
    pf = ds.pflows_by.get(fid, [])
    pids = sorted(p for p, r in ds.projects.items() if r["fund_id"] == fid)
    cm_end = commitments_at(ds, fid, AS_OF)
    terms = fid in ds.terms
    lps = sorted(set(cm_end) | (set(f["partner_id"] for f in pf if D(f["date"]) <= AS_OF)
                                if terms else set()))  # T8
    for p in lps:
        cm_end.setdefault(p, 0)
    tot_end = sum(cm_end.values())
    # SPEC 10: a fund with terms (or with carry paid) has the carry lines; its NAVs
    # are net of accrued carry, the waterfall rerun at each period's start
    has_carry = terms or any(is_carry(f) and D(f["date"]) <= AS_OF for f in pf)
    acc = lambda t: economics(ds, fid, t)["A"] if terms else 0
    nav_e = fund_nav_at(ds, fid, AS_OF) - acc(AS_OF)
    lines = ACCOUNT_LINES + (CARRY_LINES if has_carry else ())
    for per in PERIODS:
        S = period_start(per, D(fund["inception_date"]))
        if S >= AS_OF:
            continue  # an empty period has no rows (R14)
        cm_b = commitments_at(ds, fid, S)
        nav_b = fund_nav_at(ds, fid, S) - acc(S)
        income = sum(ds.flow_in(f, cur) for p in pids for f in ds.jflows_by.get(p, [])
                     if f["kind"] in INCOME_KINDS and S < D(f["date"]) <= AS_OF)
        k_per = sum(cents(f["amount"]) for f in pf if is_carry(f) and S < D(f["date"]) <= AS_OF)
        L = account_lines(pf, sum(cm_b.values()), tot_end, S, nav_b, nav_e, income,
                          (k_per, acc(S), acc(AS_OF)) if has_carry else None)
        # SPEC: the fund's change in value is the projects' NAV at end - at start
        #   - investments + proceeds of the period (an independent path to the same figure)
        pnav = lambda t: sum(ds.conv(ds.proj_nav(p, t), ds.projects[p]["currency"], cur, t)
                             for p in pids)
        inv = sum(ds.flow_in(f, cur) for p in pids for f in ds.jflows_by.get(p, [])
                  if f["kind"] == "investment" and S < D(f["date"]) <= AS_OF)
        pro = sum(ds.flow_in(f, cur) for p in pids for f in ds.jflows_by.get(p, [])
                  if f["kind"] == "proceeds" and S < D(f["date"]) <= AS_OF)
        civ = pnav(AS_OF) - pnav(S) - inv + pro
        assert civ == L["change_in_value"], (fid, per, civ, L["change_in_value"])
        L["interest"] = Fr(1)
        if terms:
            eb, ee = economics(ds, fid, S), economics(ds, fid, AS_OF)
            begin, end = eb["nav"], ee["nav"]
            ab, ae = eb["accrued"], ee["accrued"]
        else:
            begin = split_by_interest(ds, fid, nav_b, S)
            end = split_by_interest(ds, fid, nav_e, AS_OF)
            ab = ae = {}
        inc = split_by_interest(ds, fid, income, AS_OF)
        if terms:  # T10: the period's carry charged = the change in carry_charged
            kp = {p: ee["charged"].get(p, 0) - eb["charged"].get(p, 0) for p in lps}
        else:
            kp = carry_split(ds, fid, k_per, AS_OF) if has_carry else {}
        Lps = {}
        for p in lps:
            Lp = account_lines([f for f in pf if f["partner_id"] == p], cm_b.get(p, 0),
                               cm_end[p], S, begin.get(p, 0), end.get(p, 0), inc.get(p, 0),
                               (kp.get(p, 0), ab.get(p, 0), ae.get(p, 0)) if has_carry else None)
            Lp["interest"] = Fr(cm_end[p], tot_end)
            Lps[p] = Lp
        # R20: the fund's unfunded lines are its partners' (each floored on its own)
        for line in ("beginning_unfunded", "unfunded_adjustment", "ending_unfunded"):
            L[line] = sum(Lp[line] for Lp in Lps.values())
        for line in lines:
            ex.add("account", fid, per + "|" + line, "*", L[line])
        for p in lps:
            for line in lines:
                ex.add("account", fid, per + "|" + line, p, Lps[p][line])


def month_ends(first, last):
    """Month ends from the month of `first` to `last`, the last one being `last`."""
    out = []
    y, m = first.year, first.month
    while True:
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        e = nxt - dt.timedelta(days=1)
        out.append(min(e, last))
        if e >= last:
            return out
        y, m = nxt.year, nxt.month


def nav_history(ex, ds):
    # the portfolio's NAV by chain, CNY, month ends from the first project flow (R16)
    counted = [p for p, r in ds.projects.items() if D(r["commitment_date"]) <= AS_OF]
    dates = [D(f["date"]) for p in counted for f in ds.jflows_by.get(p, [])]
    if dates:
        chains = sorted(set(ds.projects[p]["chain"] for p in counted))
        for t in month_ends(min(dates), AS_OF):
            for ch in chains:
                v = sum(ds.conv(ds.proj_nav(p, t), ds.projects[p]["currency"], "CNY", t)
                        for p in counted if ds.projects[p]["chain"] == ch
                        and D(ds.projects[p]["commitment_date"]) <= t)
                ex.add("nav_history", None, "%s|%s" % (t.isoformat(), ch), "nav", v)
    # each fund's J-curve, fund currency, month ends from its inception
    for fid in sorted(ds.funds):
        inc = D(ds.funds[fid]["inception_date"])
        if inc > AS_OF:
            continue
        pf = ds.pflows_by.get(fid, [])
        for t in month_ends(inc, AS_OF):
            k = "%s|*" % t.isoformat()
            ex.add("nav_history", fid, k, "paid_in", sum(
                cents(f["amount"]) for f in pf if f["kind"] == "contribution" and D(f["date"]) <= t))
            ex.add("nav_history", fid, k, "distributions", sum(
                cents(f["amount"]) for f in pf if f["kind"] == "distribution"
                and not is_carry(f) and D(f["date"]) <= t))  # T11
            pi_t = sum(cents(f["amount"]) for f in pf
                       if f["kind"] == "contribution" and D(f["date"]) <= t)
            di_t = sum(cents(f["amount"]) for f in pf if f["kind"] == "distribution"
                       and not is_carry(f) and D(f["date"]) <= t)
            nav_t = fund_nav_at(ds, fid, t)
            ex.add("nav_history", fid, k, "nav", nav_t)
            ex.add("nav_history", fid, k, "net_cash", di_t - pi_t)
            ex.add("nav_history", fid, k, "net_value", di_t + nav_t - pi_t)


# ---------------------------------------------------------------- fund economics (SPEC 10)
#
# Written from SPEC section 10's text and the README's stated readings (T1-T12 in the
# header); any fund with a row in fund_terms.csv is handled, whatever the data set.

WF = Context(prec=60)  # the waterfall's arithmetic (compound growth is irrational)
TIERS = ("return_of_capital", "preferred_return", "catch_up_gp", "catch_up_lp",
         "split_gp", "split_lp")
RATIO_TIERS = ("catch_up_gp", "catch_up_lp", "split_gp", "split_lp")
EXACT_TIERS = {}  # (fund, tier, metric) -> the exact amount in cents (Fraction)
CARRY_LINES = ("carried_interest", "accrued_carry_change", "accrued_carry_beginning",
               "carry_paid", "incentive_allocation_change", "accrued_carry_ending",
               "ending_nav_gross")


def is_carry(f):
    return f["kind"] == "distribution" and f["purpose"] == "carried_interest"


def dec(x):
    """Fraction or int -> Decimal in the waterfall's context."""
    x = Fr(x)
    return WF.divide(Decimal(x.numerator), Decimal(x.denominator))


_GROWTH = {}


def growth(terms, days):
    """f(d) of SPEC 10: (1 + h)^(d/365) compound, 1 + h d/365 simple."""
    basis = terms.get("hurdle_basis") or "compound"
    k = (terms["hurdle"], basis, days)
    if k not in _GROWTH:
        h = Decimal(terms["hurdle"])
        if basis == "simple":
            _GROWTH[k] = WF.add(1, WF.divide(WF.multiply(h, days), 365))
        else:
            _GROWTH[k] = WF.power(WF.add(1, h), WF.divide(Decimal(days), Decimal(365)))
    return _GROWTH[k]


def waterfall(terms, calls, dists, t, V):
    """The whole-fund waterfall on the carry class as one investor (SPEC 10).
    calls, dists: {date: cents} (dists gross: the class's plus the carry paid that
    day); V: the hypothetical final distribution at t (Decimal). Returns
    ({"distributed"|"hypothetical": {tier: Decimal}}, H after V, total calls)."""
    carry = Decimal(terms["carry"])
    cu = Decimal(terms.get("catch_up") or "1")
    zero = Decimal(0)
    out = {"distributed": dict.fromkeys(TIERS, zero), "hypothetical": dict.fromkeys(TIERS, zero)}
    st = {"C": zero, "R": zero, "P": zero, "G": zero}
    hist_c, hist_l = [], []

    def H(s):  # the hurdle account at s over the flows so far
        v = zero
        for d, c in hist_c:
            v = WF.add(v, WF.multiply(c, growth(terms, (s - d).days)))
        for d, l in hist_l:
            v = WF.subtract(v, WF.multiply(l, growth(terms, (s - d).days)))
        return v

    def alloc(s, X, bucket):
        b = out[bucket]
        unret = max(zero, st["C"] - st["R"])
        y = min(X, max(zero, H(s), unret))                  # tiers 1+2 (T1)
        t1 = min(y, unret)
        t2 = WF.subtract(y, t1)
        st["R"] += t1
        st["P"] += t2
        rem = WF.subtract(X, y)
        cgp = clp = zero
        if cu > carry and rem > 0:                          # tier 3 (only if cu > carry)
            need = WF.divide(WF.subtract(WF.multiply(carry, st["P"]), st["G"]),
                             WF.subtract(cu, carry))
            u = min(rem, max(zero, need))
            cgp = WF.multiply(cu, u)
            clp = WF.subtract(u, cgp)
            rem = WF.subtract(rem, u)
            st["P"] = WF.add(st["P"], u)
            st["G"] = WF.add(st["G"], cgp)
        sgp = WF.multiply(carry, rem)                       # tier 4
        slp = WF.subtract(rem, sgp)
        st["P"] = WF.add(st["P"], rem)
        st["G"] = WF.add(st["G"], sgp)
        for k, v in zip(TIERS, (t1, t2, cgp, clp, sgp, slp)):
            b[k] = WF.add(b[k], v)
        hist_l.append((s, t1 + t2 + clp + slp))             # the class's part (T2)

    for s in sorted(set(calls) | set(dists)):
        if calls.get(s):                                    # calls first on a date
            st["C"] += calls[s]
            hist_c.append((s, Decimal(calls[s])))
        if dists.get(s):
            alloc(s, Decimal(dists[s]), "distributed")
    if V > 0:
        alloc(t, V, "hypothetical")
    return out, H(t), st["C"]


_ECON = {}


def economics(ds, fid, t):
    """Everything SPEC 10 derives at date t (t <= D) for a fund with terms; also
    used at each period's start (the waterfall rerun there)."""
    if (fid, t) in _ECON:
        return _ECON[fid, t]
    terms = ds.terms[fid]
    cm = commitments_at(ds, fid, t)
    tot = sum(cm.values())
    pf = [f for f in ds.pflows_by.get(fid, []) if D(f["date"]) <= t]
    F = fund_nav_at(ds, fid, t)
    K = sum(cents(f["amount"]) for f in pf if is_carry(f))
    gp = terms["gp_partner_id"]
    exempt = set(x.strip() for x in (terms.get("carry_exempt") or "").split(";") if x.strip())
    members = sorted(p for p in cm if p != gp and ds.partners[p]["kind"] != "gp"
                     and p not in exempt)
    ids = sorted(set(cm) | set(f["partner_id"] for f in pf))
    e = {"F": F, "K": K, "members": members, "ids": ids, "tiers": None}
    mc = sum(cm[p] for p in members)
    if not tot or not mc:
        # nothing committed (R15) or an empty class: no waterfall, nothing accrues
        e.update(E=Fr(0), Er=0, A=0, given={}, received={},
                 concession=Fr(terms.get("concession") or "0") > 0)
        e["nav"] = split_by_interest(ds, fid, F, t)
        e["charged"], e["accrued"] = {}, {}
        _ECON[fid, t] = e
        return e
    ic = Fr(mc, tot)
    V = round_cent(ic * (F + K))  # T13: a distribution, to the fen
    calls, dists = {}, {}
    for f in pf:
        d, a = D(f["date"]), cents(f["amount"])
        if is_carry(f):
            dists[d] = dists.get(d, 0) + a
        elif f["partner_id"] in members:
            if f["kind"] == "contribution":
                calls[d] = calls.get(d, 0) + a
            else:
                dists[d] = dists.get(d, 0) + a
    # D1: the final distribution is the class's NAV before accrual, V - K (the carry
    # paid is already among the gross distributions; SPEC 10's V counts it twice)
    final = max(0, V - K)
    tiers, h_end, C = waterfall(terms, calls, dists, t, dec(final))
    carry = Fr(terms["carry"])
    t34 = Fr(sum((tiers[b]["catch_up_gp"] + tiers[b]["split_gp"] for b in tiers), Decimal(0)))
    profit = sum(dists.values()) + final - Fr(C)             # the whole life (T3)
    E = max(Fr(0), min(carry * profit, t34 - max(Fr(0), Fr(h_end))))
    Er = round_cent(E)
    A = Er - K
    # concession (SPEC 10, T6): each guidance-fund member gives c x its share of the
    # class's tiers 3-4 (catch_up_lp + split_lp, distributed and hypothetical)
    c = Fr(terms.get("concession") or "0")
    e["concession"] = c > 0
    given, received = {}, {}
    if c > 0:
        cls34 = Fr(sum((tiers[b]["catch_up_lp"] + tiers[b]["split_lp"] for b in tiers),
                       Decimal(0)))
        gfs = [p for p in members if ds.partners[p]["kind"] == "guidance_fund"]
        to = terms.get("concession_to") or "lps"
        if to == "gp" and gp not in cm:
            gfs = []  # T7: the GP is no partner of the fund: not applied
        for p in gfs:
            given[p] = c * cls34 * Fr(cm[p], mc)
        pool = sum(given.values())
        if pool:
            if to == "gp":
                received[gp] = pool
            else:
                rest = [p for p in members if p not in gfs]
                rc = sum(cm[p] for p in rest)
                for p in rest:
                    received[p] = pool * Fr(cm[p], rc)
    x = {}
    for p in ids:
        if p in members:
            x[p] = (V - E) * Fr(cm[p], mc)
        else:
            x[p] = (F + K) * Fr(cm.get(p, 0), tot)
        x[p] += received.get(p, 0) - given.get(p, 0)
    sx = sum(x.values())
    T = F - A
    e["nav"] = dict(zip(ids, largest_remainder(T, [x[p] / sx if sx else Fr(0) for p in ids], ids)))
    e["exact_nav"] = x
    e.update(ic=ic, V=V, tiers=tiers, H_end=h_end, C=C, E=E, Er=Er, A=A, t34=t34,
             profit=profit, given=given, received=received)
    mw = [Fr(cm[p], mc) for p in members]
    e["charged"] = dict(zip(members, largest_remainder(K, mw, members)))
    e["accrued"] = dict(zip(members, largest_remainder(A, mw, members)))
    _ECON[fid, t] = e
    return e


def carry_split(ds, fid, amount, t):
    """A sum of carry paid charged to partners at t: to the class by commitment (with
    terms), else to every partner by interest (README: no terms, carry paid anyway)."""
    if fid in ds.terms:
        e = economics(ds, fid, t)
        cm = commitments_at(ds, fid, t)
        ms = e["members"]
        mc = sum(cm[p] for p in ms)
        if not mc:
            return {}
        return dict(zip(ms, largest_remainder(amount, [Fr(cm[p], mc) for p in ms], ms)))
    return split_by_interest(ds, fid, amount, t)


def fee_control(ds, fid):
    """Management fees the terms imply (SPEC 10, T9): {year: exact}, exact ITD."""
    terms = ds.terms[fid]
    fund = ds.funds[fid]
    cur = fund["currency"]
    inc = D(fund["inception_date"])
    gp = terms["gp_partner_id"]
    cm = commitments_at(ds, fid, AS_OF)
    comm_basis = sum(v for p, v in cm.items() if p != gp and ds.partners[p]["kind"] != "gp")
    pids = [p for p, r in ds.projects.items() if r["fund_id"] == fid]
    inv = []  # (date, project, cents) investments in fund currency at their dates
    for p in pids:
        for f in ds.jflows_by.get(p, []):
            if f["kind"] == "investment":
                inv.append((D(f["date"]), p, ds.flow_in(f, cur)))
    qnav = {}

    def basis(kind, day):
        if kind == "commitment":
            return comm_basis
        if kind == "invested":
            return sum(a for d, p, a in inv if d <= day
                       and not (ds.projects[p]["exit_date"]
                                and D(ds.projects[p]["exit_date"]) <= day))
        if kind == "nav":
            q = _quarter_start(day)  # the last quarter end strictly before the day
            if q not in qnav:
                qnav[q] = sum(ds.conv(ds.proj_nav(p, q), ds.projects[p]["currency"], cur, q)
                              for p in pids if D(ds.projects[p]["commitment_date"]) <= q)
            return qnav[q]
        raise SystemExit("oracle: fee basis %r" % kind)

    ipe = D(terms["investment_period_end"]) if terms.get("investment_period_end") else None
    rate0, basis0 = Fr(terms["fee_rate"]), terms["fee_basis"]
    rate1 = Fr(terms.get("fee_rate_after") or terms["fee_rate"])
    basis1 = terms.get("fee_basis_after") or "invested"
    years = {}
    day = inc
    while day <= AS_OF:
        after = ipe is not None and day > ipe
        r, b = (rate1, basis1) if after else (rate0, basis0)
        years[day.year] = years.get(day.year, Fr(0)) + r * basis(b, day) / 365
        day += dt.timedelta(days=1)
    return years, sum(years.values(), Fr(0))


def terms_block(ex, ds, fid, cf, pi, dist, pids_flows, gross_proj_flows, proj_nav):
    """The fund's SPEC 10 figures. cf: LP flows without carry; pi, dist likewise."""
    e = economics(ds, fid, AS_OF)
    k = ("fund", fid, fid)
    F, K, A, Er = e["F"], e["K"], e["A"], e["Er"]
    ex.add(*k, "carry_paid", K)
    ex.add(*k, "carry_entitled", Er)
    ex.add(*k, "carry_accrued", A)
    ex.add(*k, "clawback", max(0, -A))
    ex.add(*k, "nav_net", F - A)
    irr_net = xirr(cf + [(AS_OF, F - A)])[0]
    irr_before = xirr(cf + [(AS_OF, F)])[0]
    irr_gross = xirr(gross_proj_flows + [(AS_OF, proj_nav)])[0]
    ex.add(*k, "net_irr_before_carry", irr_before)
    ex.add(*k, "spread_fees_costs", irr_gross - irr_before
           if irr_gross is not None and irr_before is not None else None)
    ex.add(*k, "spread_carry", irr_before - irr_net
           if irr_before is not None and irr_net is not None else None)
    if e["tiers"] is not None:
        for tier in TIERS:
            d = Fr(e["tiers"]["distributed"][tier])
            h = Fr(e["tiers"]["hypothetical"][tier])
            EXACT_TIERS[fid, tier, "distributed"] = d
            EXACT_TIERS[fid, tier, "hypothetical"] = h
            EXACT_TIERS[fid, tier, "total"] = d + h
            ex.add("waterfall", fid, tier, "distributed", round_cent(d))
            ex.add("waterfall", fid, tier, "hypothetical", round_cent(h))
            ex.add("waterfall", fid, tier, "total", round_cent(d + h))
    years, itd = fee_control(ds, fid)
    called = {}
    for f in ds.pflows_by.get(fid, []):
        if f["kind"] == "contribution" and f["purpose"] == "management_fee":
            y = D(f["date"]).year
            called[y] = called.get(y, 0) + cents(f["amount"])
    for y in sorted(years):
        acc = round_cent(years[y])
        ex.add("fees", fid, str(y), "accrued", acc)
        ex.add("fees", fid, str(y), "called", called.get(y, 0))
        ex.add("fees", fid, str(y), "difference", called.get(y, 0) - acc)
    ex.add(*k, "fees_accrued", round_cent(itd))
    ex.add(*k, "fees_called", sum(called.values()))
    ex.add(*k, "fees_difference", sum(called.values()) - round_cent(itd))
    return e


def partner_terms(ex, fid, p, e):
    k = ("partner", fid, p)
    ex.add(*k, "carry_charged", e["charged"].get(p, 0))
    ex.add(*k, "carry_accrued", e["accrued"].get(p, 0))
    if e["concession"]:  # rows only where the terms grant a concession
        ex.add(*k, "concession_given", round_cent(e["given"].get(p, Fr(0))))
        ex.add(*k, "concession_received", round_cent(e["received"].get(p, Fr(0))))


# ---------------------------------------------------------------- compare


def main():
    global AS_OF, BENCH
    args = sys.argv[1:]
    while len(args) > 2 and args[0] in ("--as-of", "--benchmark"):
        if args[0] == "--as-of":
            AS_OF = D(args[1])
        else:
            BENCH = args[1]
        args = args[2:]
    if len(args) != 2:
        print("usage: oracle.py [--as-of D] [--benchmark ID] DATA_DIR EXPORT_JSON",
              file=sys.stderr)
        return 2
    ds = Data(args[0])
    with open(args[1], encoding="utf-8") as f:
        doc = json.load(f, parse_float=Decimal, parse_int=Decimal)

    ex = Expect()
    for fid in sorted(ds.funds):
        fund_block(ex, ds, fid)
        account_block(ex, ds, fid)
    nav_history(ex, ds)
    exposure(ex, ds, None, sorted(ds.projects), "CNY")
    risk(ex, ds)

    passed = failed = 0

    def ok(cond, msg):
        nonlocal passed, failed
        if cond:
            passed += 1
        else:
            failed += 1
            print("FAIL " + msg)

    run = doc.get("run", {})
    ok(run.get("as_of") == AS_OF.isoformat(), "run.as_of %r" % run.get("as_of"))
    for fld in ("id", "batch", "engine", "digest"):
        ok(fld in run, "run.%s missing" % fld)

    got = {}
    for r in doc["results"]:
        got.setdefault((r["dimension"], r["fund"], r["key"], r["metric"]), []).append(r)
    exp_keys = {}
    for row in ex.rows:
        exp_keys.setdefault(row[:4], []).append(row[4])
    for k, rows in got.items():
        if len(rows) > 1:
            ok(False, "%s/%s/%s/%s: %d export rows share this key (values %s)" % (
                k[0], k[1], k[2], k[3], len(rows), ", ".join(str(r["value"]) for r in rows)))
    for k, vals in exp_keys.items():
        rows = got.get(k, [])
        name = "%s/%s/%s/%s" % k
        kind = kind_of(k)
        for i, want in enumerate(vals):
            if want == "null-or-absent":
                ok(i >= len(rows) or rows[i]["value"] is None,
                   "%s: expected null or no row, engine %s" % (name, rows[i]["value"] if i < len(rows) else None))
                continue
            if i >= len(rows):
                ok(False, "%s: missing from export (oracle %s)" % (name, show(kind, want)))
                continue
            r = rows[i]
            v = r["value"]
            if want is None:
                ok(v is None and r.get("reason"),
                   "%s: oracle null, engine %s (reason %r)" % (name, v, r.get("reason")))
                continue
            if v is None:
                ok(False, "%s: oracle %s, engine null (%s)" % (name, show(kind, want), r.get("reason")))
                continue
            if kind == "money" and k[0] == "waterfall" and k[2] in RATIO_TIERS:
                # T12: a tier that splits an amount by a ratio: the engine's cent may be
                # either neighbour of the exact figure (rounding order unspecified)
                good = abs(Fr(Decimal(v) * 100) - EXACT_TIERS[k[1], k[2], k[3]]) < 1
            elif kind == "money":
                good = Decimal(v) * 100 == Decimal(want)
            elif kind == "count":
                good = Decimal(v) == Decimal(want)
            elif kind == "rate":
                good = abs(float(v) - float(want)) <= 1e-6
            else:
                a, b = Fr(v), Fr(want)
                good = abs(a - b) <= Fr(1, 10 ** 9) * max(abs(a), abs(b)) + Fr(1, 10 ** 15)
            ok(good, "%s: oracle %s, engine %s" % (name, show(kind, want), v))
    # the new dimensions are recomputed whole: a row the oracle does not expect there
    # (another partner, period, line, date or chain) is a failure, not "unchecked"
    extra = [k for k in got if k[0] in ("account", "nav_history", "chain_return",
                                         "waterfall", "fees")
             and k not in exp_keys]
    ok(not extra, "%d account/nav_history/chain_return/waterfall/fees rows the oracle does not expect, e.g. %s"
       % (len(extra), sorted(extra, key=str)[:3]))
    # SPEC 6: value null <=> a reason; dimension and metric names from the contract
    bad = [r for r in doc["results"] if (r["value"] is None) != bool(r.get("reason"))]
    ok(not bad, "value/reason pairing broken in %d rows, e.g. %s" % (len(bad), bad[:1]))
    # the stored tables this oracle recomputes are shape-checked; the others (fx,
    # partner_cny, valuation: rendering aids) only need a known dimension
    bad = [r for r in doc["results"] if not shape_ok(r, ds) and
           r["dimension"] not in ("fx", "partner_cny", "valuation")]
    ok(not bad, "%d rows with a dimension, key or metric not in SPEC 6, e.g. %s" % (len(bad), bad[:1]))
    # SPEC 8: partners' figures sum exactly to the fund's (from the export alone)
    def fv(fid, m, dim="fund", key=None):
        rows = got.get((dim, fid, fid if key is None else key, m))
        return None if not rows else rows[0]["value"]

    def psum(fid, m):
        parts = [r[0]["value"] for k, r in got.items()
                 if k[0] == "partner" and k[1] == fid and k[3] == m]
        return None if None in parts else sum(parts)

    for fid in sorted(ds.funds):
        for m in ("commitment", "paid_in", "distributions", "nav", "cash", "unfunded"):
            fund_v, parts = fv(fid, m), psum(fid, m)
            if m == "nav" and fid in ds.terms:
                # SPEC 10's identity, to the fen: sum of partners' NAV net + A = F
                a = fv(fid, "carry_accrued")
                ok(None not in (fund_v, parts, a) and parts + a == fund_v,
                   "fund/%s: partners' NAV net %s + accrued carry %s != fund NAV %s"
                   % (fid, parts, a, fund_v))
                continue
            ok(fund_v is not None and parts is not None and parts == fund_v,
               "fund/%s: partners' %s sum to %s, fund %s" % (fid, m, parts, fund_v))
    # SPEC 10 from the export alone (plus the CSVs' carry flows)
    for fid in sorted(ds.terms):
        K, E, A = fv(fid, "carry_paid"), fv(fid, "carry_entitled"), fv(fid, "carry_accrued")
        F, claw, net = fv(fid, "nav"), fv(fid, "clawback"), fv(fid, "nav_net")
        if None in (K, E, A, F, claw, net):
            ok(False, "fund/%s: a carry figure is missing or null" % fid)
            continue
        ok(A == E - K, "fund/%s: carry_accrued %s != entitled %s - paid %s" % (fid, A, E, K))
        ok(claw == max(0, -A), "fund/%s: clawback %s, accrued %s" % (fid, claw, A))
        ok(net == F - A, "fund/%s: nav_net %s != nav %s - accrued %s" % (fid, net, F, A))
        ok(psum(fid, "carry_charged") == K,
           "fund/%s: partners' carry_charged sum to %s, carry paid %s" % (fid, psum(fid, "carry_charged"), K))
        ok(psum(fid, "carry_accrued") == A,
           "fund/%s: partners' carry_accrued sum to %s, fund %s" % (fid, psum(fid, "carry_accrued"), A))
        # carried-interest distributions are in nobody's distributions
        alld = sum(cents(f["amount"]) for f in ds.pflows_by.get(fid, [])
                   if f["kind"] == "distribution")
        ok(psum(fid, "distributions") is not None
           and psum(fid, "distributions") * 100 + K * 100 == alld,
           "fund/%s: partners' distributions %s + carry paid %s != all distributions %s"
           % (fid, psum(fid, "distributions"), K, Decimal(alld) / 100))
        # the waterfall's distributed tiers are the gross distributions to date (to a cent
        # per tier of rounding), and each tier's total is distributed + hypothetical
        wf = {(k[2], k[3]): r[0]["value"] for k, r in got.items()
              if k[0] == "waterfall" and k[1] == fid}
        if wf:
            e = economics(ds, fid, AS_OF)
            gross = sum(cents(f["amount"]) for f in ds.pflows_by.get(fid, [])
                        if f["kind"] == "distribution"
                        and (is_carry(f) or f["partner_id"] in e["members"]))
            # the tiers partition money, so they add up to the fen (this also pins
            # the ratio tiers, whose own rows may take either cent, T12)
            dsum = sum(wf.get((t, "distributed"), 0) for t in TIERS)
            ok(dsum * 100 == gross,
               "waterfall/%s: distributed tiers sum to %s, gross distributions %s"
               % (fid, dsum, Decimal(gross) / 100))
            hsum = sum(wf.get((t, "hypothetical"), 0) for t in TIERS)
            ok(hsum * 100 == max(0, e.get("V", 0) - e.get("K", 0)),
               "waterfall/%s: hypothetical tiers sum to %s, V %s"
               % (fid, hsum, Decimal(max(0, e.get("V", 0) - e.get("K", 0))) / 100))
            for t in TIERS:
                d_, h_, t_ = (wf.get((t, m)) for m in ("distributed", "hypothetical", "total"))
                ok(None not in (d_, h_, t_) and d_ + h_ == t_,
                   "waterfall/%s/%s: distributed %s + hypothetical %s != total %s"
                   % (fid, t, d_, h_, t_))
    # from the export alone: every account line of the partners sums to the fund's, and
    # every account balances (NAV and unfunded roll-forwards)
    acc = {}
    for (dim, fid, key, metric), rows in got.items():
        if dim == "account" and rows[0]["value"] is not None:
            per, line = key.split("|", 1)
            acc.setdefault((fid, per, metric), {})[line] = Decimal(rows[0]["value"])
    for (fid, per, who), L in sorted(acc.items()):
        if who != "*":
            continue
        for line in ACCOUNT_LINES + tuple(c for c in CARRY_LINES if c in L):
            parts = [M.get(line) for (f2, p2, w2), M in acc.items()
                     if f2 == fid and p2 == per and w2 != "*"]
            ok(L.get(line) is not None and None not in parts
               and (sum(parts) == L[line] if line != "interest"
                    else abs(sum(parts) - L[line]) <= Decimal("1e-12")),
               "account/%s/%s|%s: partners sum to %s, fund %s" % (
                   fid, per, line, sum(p for p in parts if p is not None), L.get(line)))
    for (fid, per, who), L in sorted(acc.items()):
        try:
            nav_ok = (L["beginning_nav"] + sum(L["contrib_" + p] for p in CONTRIB_PURPOSES)
                      - sum(L["dist_" + p] for p in DIST_PURPOSES) + L["management_fees"]
                      + L["expenses"] + L["investment_income"] + L["change_in_value"]
                      + L.get("carried_interest", 0) + L.get("accrued_carry_change", 0)
                      == L["ending_nav"])
            unf_ok = (L["beginning_unfunded"] + L["new_commitments"] + L["less_contributions"]
                      + L["plus_recallable"] + L["unfunded_adjustment"] == L["ending_unfunded"])
        except KeyError as e:
            nav_ok = unf_ok = False
            print("note: account/%s/%s/%s lacks %s" % (fid, per, who, e))
        ok(nav_ok, "account/%s/%s/%s: the NAV roll-forward does not balance" % (fid, per, who))
        ok(unf_ok, "account/%s/%s/%s: the unfunded roll-forward does not balance" % (fid, per, who))
    unchecked = sum(len(v) for k, v in got.items() if k not in exp_keys)
    if ds.ties:
        print("note: %d half-cent ties in conversion, e.g. %s" % (len(ds.ties), ds.ties[:3]))
    print("note: %d export rows not checked by this oracle" % unchecked)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def kind_of(k):
    """How a figure compares: money (exact cents), count, rate (IRR: 1e-6) or ratio."""
    dim, _, key, metric = k
    if dim == "account":
        return "ratio" if key.split("|", 1)[1] == "interest" else "money"
    if dim in ("nav_history", "lookthrough", "waterfall", "fees"):
        return "money"
    if dim == "chain_return":
        return "ratio"
    if metric in MONEY:
        return "money"
    if metric in COUNTS:
        return "count"
    if metric in RATES:
        return "rate"
    return "ratio"


def shape_ok(r, ds):
    """SPEC 6 names; for the new dimensions also the key forms of the brief."""
    dim, key, metric = r["dimension"], r["key"], r["metric"]
    if dim not in SPEC_DIMS or not isinstance(key, str):
        return False
    if dim == "account":
        per, _, line = key.partition("|")
        return (r["fund"] in ds.funds and per in PERIODS
                and (line in ACCOUNT_LINES or line in CARRY_LINES)
                and (metric == "*" or metric in ds.partners))
    if dim == "nav_history":
        date, _, what = key.partition("|")
        try:
            D(date)
        except ValueError:
            return False
        if r["fund"] is None:
            return what in CHAINS and metric == "nav"
        return (r["fund"] in ds.funds and what == "*"
                and metric in ("paid_in", "distributions", "nav", "net_cash", "net_value"))
    if dim == "lookthrough":
        return (r["fund"] in ds.funds and metric in ds.partners
                and (key == "cash" or key in CHAINS))
    if dim == "waterfall":
        return (r["fund"] in ds.terms and key in TIERS
                and metric in ("distributed", "hypothetical", "total"))
    if dim == "fees":
        return (r["fund"] in ds.terms and len(key) == 4 and key.isdigit()
                and metric in ("accrued", "called", "difference"))
    if dim == "chain_return":
        q, _, ch = key.partition("|")
        return (r["fund"] is None and metric == "return" and ch in CHAINS and len(q) == 6
                and q[:4].isdigit() and q[4] == "Q" and q[5] in "1234")
    return metric in SPEC_METRICS


def show(kind, v):
    if kind == "money":
        return "%s" % (Decimal(v) / 100).quantize(Decimal("0.01"))
    if isinstance(v, Fr):
        return repr(float(v))
    return repr(v)


if __name__ == "__main__":
    sys.exit(main())
