/*
 * The allocator with failure injection (tern__alloc_fail_after), for the
 * test programs only. It defines every symbol of src/util/alloc.c, so a
 * program that links this object never takes the library's copy.
 */
#define TERN_FAULT_INJECTION 1
#include "util/alloc.c"
