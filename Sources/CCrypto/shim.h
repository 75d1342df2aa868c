#ifndef CCRYPTO_SHIM_H
#define CCRYPTO_SHIM_H

#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/rand.h>

/* EVP_MD_CTX helpers are plain functions in OpenSSL 3; nothing to wrap yet. */

#endif
