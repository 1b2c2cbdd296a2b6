/*
 * banned: included last in every .c file. Functions that overflow buffers,
 * cannot report errors, or depend on the process time zone are compile errors
 * here (dates are time-zone-free day numbers; see util.h).
 */
#ifndef PARKFUND_BANNED_H
#define PARKFUND_BANNED_H

#define PF_BANNED(f) sorry_##f##_is_banned_in_parkfund

#undef strcpy
#define strcpy(x, y) PF_BANNED(strcpy)
#undef strcat
#define strcat(x, y) PF_BANNED(strcat)
#undef sprintf
#define sprintf(...) PF_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) PF_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) PF_BANNED(strtok)
#undef gmtime
#define gmtime(x) PF_BANNED(gmtime)
#undef localtime
#define localtime(x) PF_BANNED(localtime)
#undef mktime
#define mktime(x) PF_BANNED(mktime)
#undef ctime
#define ctime(x) PF_BANNED(ctime)
#undef atoi
#define atoi(x) PF_BANNED(atoi)
#undef atof
#define atof(x) PF_BANNED(atof)

#endif
