/*
 * csv: RFC 4180 files through libcsv, fed one physical line at a time so every
 * record keeps the exact line it starts on (libcsv reports no positions). A
 * UTF-8 BOM and CRLF are accepted; --encoding converts with iconv first.
 * Memory is bounded by the longest line (1 MiB) whatever the file's size.
 */
#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_int.h"
#include "parkfund/banned.h"

#define MAX_LINE (1 << 20)

struct csvr {
    struct imp *im;
    enum pf_kind k;
    struct csv_parser p;
    int colmap[256];          /* file column -> field index, -1 unknown */
    int ncols;
    bool have_header;
    char **cells;             /* current record's fields */
    size_t ncells, ccells;
    long line;                /* physical line being fed */
    long rec_line;            /* first line of the current record */
    bool quote_open;          /* inside a quoted field across lines */
    bool too_many;
    pf_status rc;
};

static void
cells_clear(struct csvr *r)
{
    size_t i;
    for (i = 0; i < r->ncells; i++)
        free(r->cells[i]);
    r->ncells = 0;
}

static void
on_field(void *s, size_t len, void *arg)
{
    struct csvr *r = arg;
    if (r->rc != PF_OK)
        return;
    if (r->ncells >= 256) {
        r->too_many = true;
        return;
    }
    PF_GROW(r->cells, r->ncells + 1, r->ccells);
    /* keep NUL bytes visible to the UTF-8 check: copy with the length */
    r->cells[r->ncells] = pf_xmalloc(len + 1);
    if (len)
        memcpy(r->cells[r->ncells], s, len);
    r->cells[r->ncells][len] = '\0';
    if (memchr(r->cells[r->ncells], '\0', len)) {
        char where[600];
        snprintf(where, sizeof where, "%s:%ld", r->im->file, r->rec_line);
        if (r->have_header && r->colmap[r->ncells] >= 0)
            r->rc = pf_err_set(r->im->err, PF_EDATA, where, "field '%s': contains a NUL byte",
                               pf_kinds[r->k].fields[r->colmap[r->ncells]].name);
        else
            r->rc = pf_err_set(r->im->err, PF_EDATA, where, "header: column %zu contains a "
                               "NUL byte", r->ncells + 1);
    }
    r->ncells++;
}

static pf_status
header(struct csvr *r)
{
    const struct pf_kind_def *kd = &pf_kinds[r->k];
    bool present[PF_MAX_FIELDS] = { false };
    char where[600];
    size_t i, bad_at;
    const char *why;
    int f;

    snprintf(where, sizeof where, "%s:%ld", r->im->file, r->rec_line);
    if (r->too_many)
        return pf_err_set(r->im->err, PF_EDATA, where, "header: more than 256 columns");
    for (i = 0; i < r->ncells; i++) {
        char *name = r->cells[i];
        size_t len = strlen(name);
        while (len && (name[len - 1] == ' ' || name[len - 1] == '\r'))
            name[--len] = '\0';
        if (!pf_utf8_check(name, len, &bad_at, &why))
            return pf_err_set(r->im->err, PF_EDATA, where, "header: column %zu %s%s", i + 1,
                              why, r->im->o->encoding ? "" : " (a file saved on Chinese "
                              "Windows? try --encoding gb18030)");
        f = pf_kind_field(r->k, name);
        if (f < 0)
            return pf_err_set(r->im->err, PF_EDATA, where, "field '%.80s': unknown column "
                              "for %s", name, kd->name);
        if (present[f])
            return pf_err_set(r->im->err, PF_EDATA, where, "field '%s': duplicate column",
                              name);
        present[f] = true;
        r->colmap[i] = f;
    }
    r->ncols = (int)r->ncells;
    for (f = 0; f < kd->nfields; f++)
        if (kd->fields[f].required && !present[f])
            return pf_err_set(r->im->err, PF_EDATA, where, "field '%s': missing required "
                              "column", kd->fields[f].name);
    r->have_header = true;
    return PF_OK;
}

static void
on_record(int c, void *arg)
{
    struct csvr *r = arg;
    char *raw[PF_MAX_FIELDS] = { 0 };
    size_t i;

    (void)c;
    if (r->rc != PF_OK)
        goto done;
    if (!r->have_header) {
        r->rc = header(r);
        goto done;
    }
    if (r->too_many || (int)r->ncells != r->ncols) {
        char where[600];
        snprintf(where, sizeof where, "%s:%ld", r->im->file, r->rec_line);
        r->rc = pf_err_set(r->im->err, PF_EDATA, where, "row has %s%zu fields, the header %d",
                           r->too_many ? "more than " : "", r->ncells, r->ncols);
        goto done;
    }
    for (i = 0; i < r->ncells; i++)
        raw[r->colmap[i]] = r->cells[i];
    r->rc = imp_row(r->im, r->k, raw, r->rec_line);
done:
    cells_clear(r);
    r->too_many = false;
}

/* Feed one physical line (with its newline) to libcsv. */
static pf_status
feed_line(struct csvr *r, const char *s, size_t n)
{
    size_t i;
    bool blank = true;

    r->line++;
    if (r->line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3; /* a UTF-8 BOM (Excel's "CSV UTF-8") is not part of the first field */
        n -= 3;
    }
    for (i = 0; i < n; i++)
        if (s[i] != '\n' && s[i] != '\r') {
            blank = false;
            break;
        }
    if (!r->quote_open) {
        if (blank)
            return PF_OK; /* blank lines between records are ignored */
        r->rec_line = r->line;
    }
    for (i = 0; i < n; i++)
        if (s[i] == '"')
            r->quote_open = !r->quote_open;
    if (csv_parse(&r->p, s, n, on_field, on_record, r) != n && r->rc == PF_OK) {
        char where[600];
        snprintf(where, sizeof where, "%s:%ld", r->im->file, r->line);
        r->rc = pf_err_set(r->im->err, PF_EDATA, where, "malformed CSV: %s",
                           csv_strerror(csv_error(&r->p)));
    }
    return r->rc;
}

/*
 * Split a stream of UTF-8 chunks into lines: LF, CRLF, and a lone CR (old Mac
 * files, which libcsv also takes as a record end) each end a line. A CR at the
 * end of a chunk waits for the next byte to tell CRLF from a lone CR.
 */
struct lines {
    struct pf_buf cur;
    bool cr_pending;
};

static pf_status
flush_line(struct csvr *r, struct lines *L)
{
    L->cr_pending = false;
    if (feed_line(r, L->cur.s, L->cur.len) != PF_OK)
        return r->rc;
    pf_buf_reset(&L->cur);
    return PF_OK;
}

static pf_status
feed_bytes(struct csvr *r, struct lines *L, const char *s, size_t n)
{
    size_t start = 0, i;
    if (L->cr_pending && n > 0 && s[0] != '\n' && flush_line(r, L) != PF_OK)
        return r->rc;
    L->cr_pending = false;
    for (i = 0; i < n; i++) {
        bool end = s[i] == '\n';
        if (s[i] == '\r') {
            if (i + 1 == n) {
                L->cr_pending = true; /* decided by the next chunk */
            } else if (s[i + 1] != '\n') {
                end = true;
            }
        }
        if (end) {
            pf_buf_add(&L->cur, s + start, i + 1 - start);
            start = i + 1;
            if (flush_line(r, L) != PF_OK)
                return r->rc;
        }
    }
    if (start < n)
        pf_buf_add(&L->cur, s + start, n - start);
    if (L->cur.len > MAX_LINE) {
        char where[600];
        snprintf(where, sizeof where, "%s:%ld", r->im->file, r->line + 1);
        return r->rc = pf_err_set(r->im->err, PF_EDATA, where, "line longer than %d bytes",
                                  MAX_LINE);
    }
    return PF_OK;
}

static int
never_space(unsigned char c)
{
    (void)c;
    return 0; /* keep spaces: trimming is imp_row's decision, per field */
}

pf_status
imp_csv_file(struct imp *im, const char *path, enum pf_kind k)
{
    struct csvr *r = pf_xcalloc(1, sizeof *r);
    struct lines L = { PF_BUF_INIT, false };
    FILE *f = NULL;
    iconv_t cd = (iconv_t)-1;
    char in[65536], out[4 * 65536];
    size_t got, carry = 0;
    pf_status rc = PF_OK;
    int i;

    r->im = im;
    r->k = k;
    for (i = 0; i < 256; i++)
        r->colmap[i] = -1;
    if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        rc = pf_err_set(im->err, PF_EINTERNAL, "", "cannot start the CSV parser");
        free(r);
        return rc;
    }
    csv_set_space_func(&r->p, never_space);
    f = fopen(path, "rb");
    if (!f) {
        rc = pf_err_set(im->err, errno == ENOENT ? PF_ENOINPUT : PF_EIO, "",
                        "cannot open '%s': %s", path, strerror(errno));
        goto cleanup;
    }
    if (im->o->encoding) {
        cd = iconv_open("UTF-8", im->o->encoding);
        if (cd == (iconv_t)-1) {
            rc = pf_err_set(im->err, PF_EUSAGE, "", "unknown encoding '%s' (see 'iconv -l')",
                            im->o->encoding);
            goto cleanup;
        }
    }
    while ((got = fread(in + carry, 1, sizeof in - carry, f)) > 0 || carry > 0) {
        size_t avail = carry + got;
        if (cd == (iconv_t)-1) {
            rc = feed_bytes(r, &L, in, avail);
            carry = 0;
        } else {
            char *ip = in, *op = out;
            size_t il = avail, ol = sizeof out;
            if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 && errno != EINVAL &&
                errno != E2BIG) {
                char where[600];
                /* the lines before the bad bytes go through first: their errors come first */
                if ((rc = feed_bytes(r, &L, out, (size_t)(op - out))) != PF_OK)
                    goto cleanup;
                snprintf(where, sizeof where, "%s:%ld", path, r->line + 1);
                rc = pf_err_set(im->err, PF_EDATA, where, "not valid %s text",
                                im->o->encoding);
                goto cleanup;
            }
            rc = feed_bytes(r, &L, out, (size_t)(op - out));
            memmove(in, ip, il);
            carry = il;
            if (got == 0 && carry > 0) {
                char where[600];
                snprintf(where, sizeof where, "%s:%ld", path, r->line + 1);
                rc = pf_err_set(im->err, PF_EDATA, where, "truncated %s text at the end",
                                im->o->encoding);
                goto cleanup;
            }
        }
        if (rc != PF_OK)
            goto cleanup;
        imp_progress(im, got);
    }
    if (ferror(f)) {
        rc = pf_err_set(im->err, PF_EIO, "", "cannot read '%s': %s", path, strerror(errno));
        goto cleanup;
    }
    if (L.cur.len > 0 && (rc = feed_line(r, L.cur.s, L.cur.len)) != PF_OK)
        goto cleanup;
    if (csv_fini(&r->p, on_field, on_record, r) != 0 && r->rc == PF_OK) {
        char where[600];
        snprintf(where, sizeof where, "%s:%ld", path, r->rec_line);
        r->rc = pf_err_set(im->err, PF_EDATA, where, "malformed CSV: unterminated quoted field");
    }
    if ((rc = r->rc) != PF_OK)
        goto cleanup;
    if (!r->have_header) {
        char where[600];
        snprintf(where, sizeof where, "%s:1", path);
        rc = pf_err_set(im->err, PF_EDATA, where, "empty file: no header row");
    }
cleanup:
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    if (f)
        fclose(f);
    cells_clear(r);
    free(r->cells);
    csv_free(&r->p);
    pf_buf_release(&L.cur);
    free(r);
    return rc;
}
