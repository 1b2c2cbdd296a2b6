/*
 * util: the bottom layer. Status codes and error context, allocation that never
 * returns NULL, exact money (int64 minor units), time-zone-free calendar dates,
 * a growable string buffer, UTF-8 checks and display width, SHA-256 (nettle),
 * and file-name sanitising. No SQLite, GSL, cJSON or libxlsxwriter here.
 *
 * Memory rule: functions named *_new / pf_x* / *_detach return heap memory the
 * caller frees with free() (or the matching *_free); every *_free accepts NULL.
 */
#ifndef PARKFUND_UTIL_H
#define PARKFUND_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PF_ENGINE_VERSION "parkfund 1.1.0"

/* ---- status (values are append-only) ---- */
typedef enum pf_status {
    PF_OK = 0,
    PF_EUSAGE,     /* bad command line            -> exit 2  */
    PF_EDATA,      /* bad input data              -> exit 65 */
    PF_ENOINPUT,   /* missing input file / record -> exit 66 */
    PF_EIO,        /* read/write failure          -> exit 74 */
    PF_EBUSY,      /* database locked             -> exit 75 */
    PF_EMISMATCH,  /* verify found a difference   -> exit 1  */
    PF_EINTERNAL,  /* a bug or broken invariant   -> exit 70 */
    PF_STATUS_COUNT
} pf_status;

const char *pf_strerror(pf_status st); /* never NULL */
int pf_exit_code(pf_status st);        /* SPEC §6 exit statuses */

/*
 * Error context: one per command, zero-initialised means "no error". The first
 * error wins; later pf_err_set calls are ignored so the root cause is reported.
 * The CLI prints "where: msg" (where may be empty), giving SPEC §4's
 * "FILE:LINE: field 'x': message".
 */
struct pf_err {
    pf_status status;
    char where[512];
    char msg[1024];
};

pf_status pf_err_set(struct pf_err *e, pf_status st, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
pf_status pf_err_setv(struct pf_err *e, pf_status st, const char *where, const char *fmt,
                      va_list ap) __attribute__((format(printf, 4, 0)));
void pf_err_clear(struct pf_err *e);

/* ---- allocation: print "parkfund: out of memory" and exit 70 on failure ---- */
void *pf_xmalloc(size_t n);
void *pf_xcalloc(size_t n, size_t size);
void *pf_xrealloc(void *p, size_t n);
void *pf_xreallocarray(void *p, size_t n, size_t size); /* checks n*size overflow */
char *pf_xstrdup(const char *s);
char *pf_xstrndup(const char *s, size_t n);
char *pf_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *arr (element size `size`) so it holds at least `need` elements. */
#define PF_GROW(arr, need, cap)                                                   \
    do {                                                                          \
        if ((size_t)(need) > (cap)) {                                             \
            size_t pf_nc_ = (cap) ? (cap) * 2 : 16;                               \
            while (pf_nc_ < (size_t)(need)) pf_nc_ *= 2;                          \
            (arr) = pf_xreallocarray((arr), pf_nc_, sizeof *(arr));               \
            (cap) = pf_nc_;                                                       \
        }                                                                         \
    } while (0)

/* ---- money: integer minor units (fen / cents) ---- */
typedef int64_t pf_cents;

/*
 * Parse an unsigned decimal string with at most `max_decimals` decimals
 * (SPEC §4: no sign, no separators, no exponent, ASCII digits only) into an
 * integer scaled by 10^max_decimals. On failure returns false and sets *why to a
 * static message ("more than 2 decimals", "out of range", ...).
 */
bool pf_decimal_parse(const char *s, int max_decimals, int64_t *out, const char **why);
bool pf_money_parse(const char *s, pf_cents *out, const char **why); /* 2 decimals */
/* Format a scaled integer as a plain decimal ("-1234.50"); buf >= 32 bytes. */
char *pf_decimal_format(int64_t v, int decimals, char *buf, size_t n);
char *pf_money_format(pf_cents v, char *buf, size_t n);
/* Checked arithmetic: false on int64 overflow. */
bool pf_cents_add(pf_cents a, pf_cents b, pf_cents *out);
bool pf_cents_sub(pf_cents a, pf_cents b, pf_cents *out);
/* Round a double amount of minor units to the nearest integer (half away from 0). */
pf_cents pf_cents_round(double v);

/*
 * Wide money: sums of cents are accumulated in 128 bits (GCC and Clang's
 * __int128; __extension__ keeps -Wpedantic quiet), so no sum of int64 amounts
 * can overflow on the way; a figure is range-checked once, where it is stored
 * (pf_wide_fits). Money never passes through a double.
 */
__extension__ typedef __int128 pf_wide;
/* True when v fits in 64-bit cents (then *out = v). */
bool pf_wide_fits(pf_wide v, pf_cents *out);
/*
 * num / den rounded to the nearest integer, ties away from zero (the one
 * rounding rule for money: FX conversion, allocation shares). den != 0.
 */
pf_wide pf_wide_div_round(pf_wide num, pf_wide den);
/* Decimal text of a wide amount of cents ("-1234.50"); buf >= 48 bytes. */
char *pf_wide_format(pf_wide v, char *buf, size_t n);

/* ---- dates: days since 1970-01-01, proleptic Gregorian, no time zones ---- */
typedef int32_t pf_date;
#define PF_DATE_NONE INT32_MIN

/* Strict YYYY-MM-DD, years 1900..9999, real calendar days. */
bool pf_date_parse(const char *s, pf_date *out, const char **why);
pf_date pf_date_from_ymd(int y, int m, int d); /* no validation */
void pf_date_to_ymd(pf_date day, int *y, int *m, int *d);
char *pf_date_format(pf_date day, char *buf, size_t n); /* "YYYY-MM-DD", n >= 11 */
bool pf_date_valid_ymd(int y, int m, int d);
int pf_days_in_month(int y, int m);
pf_date pf_date_month_end(pf_date day);                 /* last day of day's month */
pf_date pf_date_add_months_end(pf_date month_end, int k);/* month end k months later */
pf_date pf_date_quarter_end(pf_date day);               /* last day of day's quarter */
pf_date pf_date_year_start(pf_date day);                /* Jan 1 of day's year */
/* Excel serial number of a date (1900 date system): 1970-01-01 is 25569. */
double pf_date_excel(pf_date day);

/* ---- string buffer ---- */
struct pf_buf {
    char *s;   /* always NUL-terminated once anything was added */
    size_t len;
    size_t cap;
};
#define PF_BUF_INIT { NULL, 0, 0 }
void pf_buf_add(struct pf_buf *b, const char *s, size_t n);
void pf_buf_adds(struct pf_buf *b, const char *s);
void pf_buf_addc(struct pf_buf *b, char c);
void pf_buf_addf(struct pf_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pf_buf_reset(struct pf_buf *b);           /* len = 0, keeps memory */
char *pf_buf_detach(struct pf_buf *b);         /* caller frees; buffer becomes empty */
void pf_buf_release(struct pf_buf *b);
const char *pf_buf_str(const struct pf_buf *b);/* "" when empty */

/* ---- UTF-8 ---- */
/*
 * True when s[0..n) is well-formed UTF-8 (no overlongs, surrogates, or code
 * points above U+10FFFF) and contains no NUL byte. On false, *bad is the byte
 * offset of the first problem and *why a static message.
 */
bool pf_utf8_check(const char *s, size_t n, size_t *bad, const char **why);
/* Terminal display width of a valid UTF-8 string (East Asian wide = 2). */
size_t pf_utf8_width(const char *s);
/* Number of code points in a valid UTF-8 string. */
size_t pf_utf8_len(const char *s);

/* ---- SHA-256 (nettle) ---- */
struct pf_sha256;
struct pf_sha256 *pf_sha256_new(void);
void pf_sha256_update(struct pf_sha256 *h, const void *p, size_t n);
/* Writes 64 lowercase hex characters plus NUL into hex[65]; h can be reused after. */
void pf_sha256_final(struct pf_sha256 *h, char hex[65]);
void pf_sha256_free(struct pf_sha256 *h);
void pf_sha256_hex(const void *p, size_t n, char hex[65]);
/* The 32 raw bytes of SHA-256(p[0..n)). */
void pf_sha256_raw(const void *p, size_t n, unsigned char out[32]);

/* ---- string-keyed hash map (open addressing); keys are copied, values borrowed ---- */
struct pf_map {
    char **keys;
    void **vals;
    size_t cap, n;
};
#define PF_MAP_INIT { NULL, NULL, 0, 0 }
/* Insert or replace; returns the previous value or NULL. */
void *pf_map_put(struct pf_map *m, const char *key, void *val);
void *pf_map_get(const struct pf_map *m, const char *key); /* NULL if absent */
bool pf_map_has(const struct pf_map *m, const char *key);
/* The map's own copy of key (added with a NULL value if absent): string interning. */
const char *pf_map_intern(struct pf_map *m, const char *key);
/* Frees keys; calls free_val on each value when not NULL. */
void pf_map_release(struct pf_map *m, void (*free_val)(void *));

/* ---- clock ---- */
/*
 * Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" (n >= 21). PARKFUND_NOW (seconds
 * since the epoch, or an ISO time as printed here) overrides it, so tests and
 * auditors can reproduce time-stamped output. *epoch receives the seconds.
 */
char *pf_now_iso(char *buf, size_t n, int64_t *epoch);
/* Seconds on the monotonic clock and of this process's CPU time (for phase timings,
 * never for results). */
double pf_wall_seconds(void);
double pf_cpu_seconds(void);
char *pf_epoch_iso(int64_t epoch, char *buf, size_t n);
bool pf_iso_epoch(const char *iso, int64_t *epoch); /* parses pf_now_iso's format */
/* Is PARKFUND_NOW unset, empty, epoch seconds or pf_now_iso's format? (A pinned clock
 * that cannot be read must not fall back silently to the real one.) */
bool pf_now_env_valid(const char **value);

/* ---- files ---- */
/*
 * Map an id to a file-name-safe component: keeps [A-Za-z0-9._-] and UTF-8
 * letters >= U+0080, replaces anything else (/, \, NUL, control, space) by '_',
 * never returns "", ".", ".." or a leading '.', and caps the length at 100 bytes.
 * Caller frees.
 */
char *pf_safe_filename(const char *id);
/* Read a whole file; caller frees *out. PF_ENOINPUT if missing, PF_EIO otherwise. */
pf_status pf_read_file(const char *path, char **out, size_t *n, struct pf_err *err);
/*
 * Write-then-rename: the temporary name beside path, "DIR/.BASE.tmp.PID" (caller
 * frees). A process killed before its rename leaves such a file; pf_tmp_sweep
 * removes, in dir, every one whose process is gone (the next report or export
 * calls it), never one a live process is writing.
 */
char *pf_tmp_path(const char *path);
void pf_tmp_sweep(const char *dir);

#endif
