/*
 * xirr internals, for tests/unit only (the engine uses parkfund/calc.h): what
 * pf_xirr decides about scanning, so that a test can see the scan skipped
 * exactly when it is proven needless.
 */
#ifndef PARKFUND_XIRR_INT_H
#define PARKFUND_XIRR_INT_H

#include <stddef.h>

#include "parkfund/calc.h"

/*
 * The bound pf_xirr uses on the number of distinct roots r > -1 of the flows
 * (netted by date like pf_xirr's): the sign changes of the partial sums from the
 * first flow, plus those from the last, plus one if the flows sum to zero
 * (see root_bound in xirr.c for the proof). SIZE_MAX when a partial sum's sign
 * is not certain in floating point; 0 for fewer than two netted flows.
 */
size_t pf_xirr_root_bound(const pf_date *d, const double *a, size_t n);

/* Scans of the rate axis pf_xirr has run in this thread. */
extern _Thread_local unsigned long pf_xirr_scans;

#endif
