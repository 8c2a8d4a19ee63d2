/*
 * The one object kernel/phasemem.h describes: the large buffers of the
 * run's parts that never need them at once.
 */
#include "kernel/phasemem.h"

union phasemem phasemem;
