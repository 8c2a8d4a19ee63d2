/* ahci: placeholder until the driver lands; registers nothing. */
#include "drivers/ahci.h"

int ahci_probe(void)
{
	return 0;
}
