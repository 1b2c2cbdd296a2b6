/* digest: SHA-256 through nettle (a well-kept library, not our own code). */
#include <stdio.h>
#include <stdlib.h>
#include <nettle/sha2.h>

#include "parkfund/util.h"
#include "parkfund/banned.h"

struct pf_sha256 {
    struct sha256_ctx ctx;
};

struct pf_sha256 *
pf_sha256_new(void)
{
    struct pf_sha256 *h = pf_xmalloc(sizeof *h);
    sha256_init(&h->ctx);
    return h;
}

void
pf_sha256_update(struct pf_sha256 *h, const void *p, size_t n)
{
    sha256_update(&h->ctx, n, p);
}

void
pf_sha256_final(struct pf_sha256 *h, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    uint8_t d[SHA256_DIGEST_SIZE];
    int i;

    sha256_digest(&h->ctx, sizeof d, d); /* also resets the context */
    for (i = 0; i < SHA256_DIGEST_SIZE; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
}

void
pf_sha256_free(struct pf_sha256 *h)
{
    free(h);
}

void
pf_sha256_hex(const void *p, size_t n, char hex[65])
{
    struct pf_sha256 h;
    sha256_init(&h.ctx);
    pf_sha256_update(&h, p, n);
    pf_sha256_final(&h, hex);
}

void
pf_sha256_raw(const void *p, size_t n, unsigned char out[32])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, n, p);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}
