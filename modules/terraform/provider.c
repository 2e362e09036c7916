/*
 * The built-in terraform provider (tern/provider.h), Terraform's
 * terraform.io/builtin/terraform: always there, with no arguments, no
 * client and no required_providers entry. Its one module is the
 * terraform_remote_state data source.
 */
#include "tern/provider.h"

/* The Terraform release whose built-in provider tern follows. */
#define TERRAFORM_PROVIDER_IMPLEMENTS "1.10.0"

static const tern_attr schema[] = {{NULL, 0, 0, NULL, NULL, 0}};

static const char *const sources[] = {"terraform.io/builtin/terraform", NULL};

const tern_provider tern_provider_terraform = {TERN_PROVIDER_VERSION,
                                               "terraform",
                                               sources,
                                               TERRAFORM_PROVIDER_IMPLEMENTS,
                                               schema,
                                               NULL,
                                               NULL,
                                               NULL,
                                               NULL};
