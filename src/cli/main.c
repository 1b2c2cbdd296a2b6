/*
 * main: the command table (git's cmd_struct crossed with tmux's cmd_entry),
 * global options, --help and --version, and the one place where a status
 * becomes an exit code (SPEC §6) and an error is printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "parkfund/calc.h"
#include "parkfund/banned.h"

static const struct pf_cmd commands[] = {
    { "init", "parkfund init [--db FILE]",
      "Create the database in a new or empty file (or bring an existing parkfund\n"
      "database's schema up to date).\n", cmd_init },
    { "import", "parkfund import [--db FILE] [--kind KIND] [--encoding ENC] [--dry-run] FILE...",
      "Import CSV files (kind from the file name, e.g. partner_flows.csv, or --kind) and JSON\n"
      "bundles as one all-or-nothing batch. The same content again is a no-op.\n"
      "  --kind KIND      the kind of every CSV file named\n"
      "  --encoding ENC   convert from ENC with iconv (e.g. gb18030)\n"
      "  --dry-run        validate and count, write nothing\n", cmd_import },
    { "close", "parkfund close --as-of YYYY-MM-DD [--benchmark ID] [--timings] [--db FILE]",
      "Compute every figure as of the date from the data known now, check that the\n"
      "capital accounts reconcile, and store the result as a numbered run.\n"
      "  --as-of D        the close date (YYYY-MM-DD); flows after it are ignored\n"
      "  --benchmark ID   an imported index (benchmarks.csv) for the PME family\n"
      "  --timings        print the seconds of loading, computing and storing on stderr\n",
      cmd_close },
    { "report", "parkfund report [--run N | --as-of D] [--out DIR] [--partner ID] "
      "[--lang zh|en|both] [--unit yuan|wan|yi] [--jobs N]",
      "Write the manager's workbook and one statement per partner (Excel, with live\n"
      "formulas) for a stored run.\n"
      "  --run N          the run to render (default: the newest)\n"
      "  --as-of D        the newest run of that date\n"
      "  --out DIR        where to write (default out/)\n"
      "  --partner ID     only that partner's statement\n"
      "  --lang L         zh, en or both (default both)\n"
      "  --unit U         show amounts in yuan (default), wan (10^4) or yi (10^8);\n"
      "                   the cells keep the full amounts\n"
      "  --jobs N         write N files at once, each in its own process (default:\n"
      "                   one per online core; 1: one after another); same files\n", cmd_report },
    { "verify", "parkfund verify [--run N] [--db FILE]",
      "Check every batch's rows against its seal, then recompute stored runs from the\n"
      "data as known at their cut-off batch; exit 1 with the rows or a diff on any\n"
      "difference.\n"
      "  --run N          verify that run only (default: every run)\n", cmd_verify },
    { "export", "parkfund export [--run N] [--out FILE] [--db FILE]",
      "Write a run's results as JSON (SPEC §6 shape) to stdout or FILE.\n"
      "  --run N          the run (default: the newest)\n"
      "  --out FILE       write FILE (atomically) instead of stdout\n", cmd_export },
    { "show", "parkfund show funds|partners|chains|regions|runs|batches|forecast|forecasts "
      "[--run N] [--lang zh|en]",
      "Print a run's figures as aligned tables.\n"
      "  --run N          the run (default: the newest)\n"
      "  --lang L         names in zh (default) or en\n", cmd_show },
    { "forecast", "parkfund forecast [--run N] [--years Y] [--paths P] [--seed S] "
      "[--target-nav X]",
      "Project each fund's calls, distributions and NAV quarter by quarter (Takahashi &\n"
      "Alexander), calibrated on its history, with correlated chain growth over P seeded\n"
      "paths; store the forecast with the run. A run can have several forecasts (other\n"
      "options): each gets a forecast id, printed here and listed by 'show forecasts';\n"
      "export and 'show forecast' use the run's newest. verify recomputes them all.\n"
      "  --run N          the run to project (default: the newest)\n"
      "  --years Y        horizon in years, 1..50 (default 10)\n"
      "  --paths P        Monte Carlo paths (default 10000; paths x quarters <= 4000000)\n"
      "  --seed S         0..4294967295 (default 2002); the same seed gives the same bytes\n"
      "  --target-nav X   CNY: the new commitments a year for the P50 NAV to reach and hold X\n",
      cmd_forecast },
    { "demo", "parkfund demo [--out DIR] [--scale N] [--seed S]",
      "Generate the alliance's sample portfolio, import it into a fresh database, close\n"
      "the latest month-end and write all reports.\n"
      "  --out DIR        where to put data, database and reports (default out/)\n"
      "  --scale N        portfolio size (default 1: the park alliance)\n"
      "  --seed S         random seed (default 2024)\n", cmd_demo },
    { "gen", "parkfund gen --scale N --seed S [--as-of D] DIR",
      "Write a deterministic synthetic data set in the input formats.\n"
      "  --scale N        1 is the park alliance; N multiplies projects and flows\n"
      "  --seed S         the same seed gives the same bytes\n"
      "  --as-of D        the last date of the data (default: the last month-end)\n", cmd_gen },
};

static void
usage(FILE *f)
{
    size_t i;
    fprintf(f, "usage: parkfund [--db FILE] [--models DIR] [-q] <command> [options]\n\n"
               "commands:\n");
    for (i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %s\n", commands[i].usage);
    fprintf(f, "\n'parkfund <command> --help' for a command's options.\n"
               "exit status: 0 ok, 1 verification mismatch, 2 usage, 65 bad data,\n"
               "66 missing input, 74 I/O error, 75 database busy.\n");
}

static bool
wants_help(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    }
    return false;
}

int
main(int argc, char **argv)
{
    struct pf_ctx ctx;
    const struct pf_cmd *cmd = NULL;
    pf_status rc;
    int i = 1;
    size_t c;

    pf_calc_init();
    memset(&ctx, 0, sizeof ctx);
    ctx.db = getenv("PARKFUND_DB");
    if (!ctx.db || !*ctx.db)
        ctx.db = "parkfund.db";

    /* global options before the command */
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--version") == 0) {
            printf("%s\n", PF_ENGINE_VERSION);
            return 0;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            ctx.quiet = true;
            i++;
        } else if ((strcmp(argv[i], "--db") == 0 || strcmp(argv[i], "--models") == 0) &&
                   i + 1 < argc) {
            if (strcmp(argv[i], "--db") == 0)
                ctx.db = argv[i + 1];
            else
                ctx.models = argv[i + 1];
            i += 2;
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            ctx.db = argv[i++] + 5;
        } else if (strncmp(argv[i], "--models=", 9) == 0) {
            ctx.models = argv[i++] + 9;
        } else {
            fprintf(stderr, "parkfund: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    for (c = 0; c < sizeof commands / sizeof *commands; c++)
        if (strcmp(commands[c].name, argv[i]) == 0)
            cmd = &commands[c];
    if (!cmd) {
        fprintf(stderr, "parkfund: unknown command '%s'\n", argv[i]);
        usage(stderr);
        return 2;
    }
    {
        const char *now;
        if (!pf_now_env_valid(&now)) {
            fprintf(stderr, "parkfund: environment variable 'PARKFUND_NOW': '%s' is neither "
                    "a UTC time (YYYY-MM-DDTHH:MM:SSZ) nor epoch seconds\n", now);
            return 2;
        }
    }
    if (wants_help(argc - i, argv + i)) {
        printf("usage: %s\n\n%s", cmd->usage, cmd->help);
        if (strcmp(cmd->name, "demo") != 0 && strcmp(cmd->name, "gen") != 0)
            printf("  --db FILE        the database (default $PARKFUND_DB, else parkfund.db)\n");
        printf("  -q, --quiet      no progress bar\n");
        return 0;
    }
    rc = cmd->run(&ctx, argc - i, argv + i);
    if (rc != PF_OK) {
        if (ctx.err.status == PF_OK)
            pf_err_set(&ctx.err, rc, "", "%s", pf_strerror(rc));
        if (ctx.err.where[0])
            fprintf(stderr, "%s: %s\n", ctx.err.where, ctx.err.msg);
        else
            fprintf(stderr, "parkfund: %s\n", ctx.err.msg);
        if (rc == PF_EUSAGE)
            fprintf(stderr, "usage: %s\n", cmd->usage);
    }
    return pf_exit_code(rc);
}
