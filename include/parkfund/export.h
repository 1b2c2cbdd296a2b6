/*
 * export: a stored run as the JSON contract of SPEC §6, written with cJSON:
 *   {"run": {"id", "as_of", "batch", "engine", "digest"},
 *    "results": [{"dimension", "fund", "key", "metric", "value", "reason"}, ...]}
 * Results keep the run's stored order (engine.h documents it). Money is printed
 * as an exact decimal from integer cents; other numbers in the shortest form
 * that reads back to the same double. One result per line, so two exports diff
 * line by line. Deterministic: the same run always gives the same bytes.
 */
#ifndef PARKFUND_EXPORT_H
#define PARKFUND_EXPORT_H

#include <stdio.h>

#include "parkfund/store.h"

/* Write run to f. PF_EIO on a write error (err names path, may be "-"). */
pf_status pf_export_json(const struct pf_run *run, FILE *f, const char *path,
                         struct pf_err *err);
/* The shortest "%.{15,16,17}g" text that reads back to exactly v. */
char *pf_format_double(double v, char *buf, size_t n);

#endif
