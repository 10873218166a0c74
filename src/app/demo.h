/*
 * demo.h: demonstration data for `ponte init --demo` (what `make run` shows).
 *
 * Synthetic and marked as such: organisations named "(demo)", users at demo.ponte.example,
 * one per default role, all with DEMO_PASSWORD. Never use --demo for a real installation.
 */
#ifndef PONTE_DEMO_H
#define PONTE_DEMO_H

#include "identity/identity.h"

#define DEMO_INSTANCE_NAME "Ponte demonstration (Portugal)"
#define DEMO_INSTANCE_COUNTRY "PT"
#define DEMO_PASSWORD "Ponte-demo-Lisboa-2026"
#define DEMO_ADMIN_EMAIL "admin@demo.ponte.example"

int demo_fill(const identity_env *env);

#endif
