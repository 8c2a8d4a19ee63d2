/*
 * Finding the machine's block devices.
 *
 * Interface: devices_probe() once, after the consoles and ACPI: programs
 * PCI access (ECAM from the ACPI MCFG table when present), runs every block
 * driver's probe and prints one line per device found ("blk: virtio0 ...").
 * devices_selftest() is the documented test switch pm.test=blkdev: it reads
 * and writes back every device's last sector and checks what it read, then
 * prints "blk: selftest: N passed, N failed".
 */
#ifndef KERNEL_DEVICES_H
#define KERNEL_DEVICES_H

void devices_probe(void);
int devices_selftest(void);

#endif
