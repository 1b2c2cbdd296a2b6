/* file: whole-file reads and the one file-name sanitiser for ids. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include "parkfund/util.h"
#include "parkfund/banned.h"

char *
pf_safe_filename(const char *id)
{
    struct pf_buf b = PF_BUF_INIT;
    const unsigned char *p = (const unsigned char *)(id ? id : "");

    for (; *p && b.len < 100; p++) {
        unsigned char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.' || c >= 0x80;
        if (c == '.' && b.len == 0)
            ok = false; /* no hidden files, no "." or ".." */
        pf_buf_addc(&b, ok ? (char)c : '_');
    }
    /* never cut a UTF-8 sequence in half */
    while (b.len > 0 && ((unsigned char)b.s[b.len - 1] & 0x80)) {
        size_t start = b.len - 1;
        size_t need;
        unsigned char lead;
        while (start > 0 && ((unsigned char)b.s[start] & 0xC0) == 0x80)
            start--;
        lead = (unsigned char)b.s[start];
        need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        if (b.len - start == need)
            break;
        b.len = start;
        b.s[b.len] = '\0';
    }
    if (b.len == 0)
        pf_buf_addc(&b, '_');
    return pf_buf_detach(&b);
}

pf_status
pf_read_file(const char *path, char **out, size_t *n, struct pf_err *err)
{
    FILE *f = NULL;
    struct pf_buf b = PF_BUF_INIT;
    char chunk[65536];
    size_t got;
    pf_status rc = PF_OK;

    *out = NULL;
    *n = 0;
    f = fopen(path, "rb");
    if (!f) {
        rc = pf_err_set(err, errno == ENOENT ? PF_ENOINPUT : PF_EIO, "", "cannot open '%s': %s",
                        path, strerror(errno));
        goto cleanup;
    }
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        pf_buf_add(&b, chunk, got);
    if (ferror(f)) {
        rc = pf_err_set(err, PF_EIO, "", "cannot read '%s': %s", path, strerror(errno));
        goto cleanup;
    }
    if (!b.s)
        pf_buf_add(&b, "", 0);
    *n = b.len;
    *out = pf_buf_detach(&b);
cleanup:
    if (f)
        fclose(f);
    pf_buf_release(&b);
    return rc;
}

char *
pf_tmp_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash)
        return pf_xasprintf("%.*s/.%s.tmp.%ld", (int)(slash - path), path, slash + 1,
                            (long)getpid());
    return pf_xasprintf(".%s.tmp.%ld", path, (long)getpid());
}

/*
 * Is process pid still able to finish its file? Not when it is gone (ESRCH), nor when
 * it is a zombie: killed, and not yet reaped by its parent (a report's killed worker
 * waits for init to reap it, and the next report may look before that). Elsewhere
 * than Linux, /proc is not there and kill() alone decides.
 */
static bool
pid_alive(long pid)
{
    char path[64], buf[512];
    const char *rp;
    size_t n;
    FILE *f;

    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
        return false;
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    if (!(f = fopen(path, "r")))
        return true; /* not ours to ask: leave its file */
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    rp = strrchr(buf, ')'); /* "pid (comm) S ...": comm may hold spaces and ')' */
    return !(rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X'));
}

void
pf_tmp_sweep(const char *dir)
{
    DIR *d = opendir(dir && *dir ? dir : ".");
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name, *t = strstr(n, ".tmp."), *p;
        char *end, *full;
        long pid;

        if (n[0] != '.' || !t)
            continue;
        while (strstr(t + 1, ".tmp."))
            t = strstr(t + 1, ".tmp.");
        p = t + 5;
        if (*p < '1' || *p > '9')
            continue;
        pid = strtol(p, &end, 10);
        if (*end != '\0' || pid <= 0)
            continue;
        if (pid_alive(pid))
            continue; /* still running (or not ours to ask): leave it */
        full = pf_xasprintf("%s/%s", dir && *dir ? dir : ".", n);
        unlink(full);
        free(full);
    }
    closedir(d);
}
