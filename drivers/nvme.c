/* nvme: placeholder until the driver lands; registers nothing. */
#include "drivers/nvme.h"

int nvme_probe(void)
{
	return 0;
}
