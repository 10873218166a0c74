/*
 * clients.h: who a request comes from, and how much of the server each client holds.
 *
 * Invariants:
 * - The client address is the connection's peer, except when the peer is a configured trusted
 *   proxy: then it is the right-most address of X-Forwarded-For that is not itself a trusted
 *   proxy (the one the proxy saw). An X-Forwarded-For from any other peer is ignored, so a
 *   client cannot choose its own address; a malformed entry stops the walk at the proxy.
 * - Slots: a key (an address with a prefix saying what is counted) holds at most `limit`
 *   slots at once. Taking is refused, never blocking, beyond it. The table is bounded
 *   (HTTP_CLIENTS_SLOTS keys with slots held at once); a full table refuses too.
 * - Thread-safe: one mutex, held for a lookup in a fixed-size open-addressing table.
 */
#ifndef PONTE_HTTP_CLIENTS_H
#define PONTE_HTTP_CLIENTS_H

#include "base/common.h"

#define HTTP_CLIENTS_SLOTS 8192 /* distinct keys holding slots at once, at most */
#define HTTP_TRUSTED_PROXIES 16 /* addresses in the trusted list, at most */
#define HTTP_ADDRESS_LEN 46     /* INET6_ADDRSTRLEN */

typedef struct http_clients http_clients;

/* trusted: numeric IPv4/IPv6 addresses separated by commas or spaces (NULL or "": none).
 * A malformed list is PONTE_EINVAL with the reason in err. */
int http_clients_new(unsigned limit, const char *trusted, http_clients **out, char *err,
		     size_t errlen);
void http_clients_free(http_clients *c);

bool http_clients_trusted(const http_clients *c, const char *peer);
/* The client's address into out (HTTP_ADDRESS_LEN): see the invariant above. xff may be NULL. */
void http_clients_address(const http_clients *c, const char *peer, const char *xff, char *out);

/* Take one of key's slots; false when the key already holds the limit (or the table is full). */
bool http_clients_take(http_clients *c, const char *key);
/* Give back a slot taken with http_clients_take. */
void http_clients_give(http_clients *c, const char *key);
/* Slots key holds now (tests). */
unsigned http_clients_held(http_clients *c, const char *key);

#endif
