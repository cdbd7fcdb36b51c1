/*
 * probe-host.h - the host facts of the probe, read from the kernel and /etc without running any
 * program: `pot-probe host [--path DIR]... [--port N]... [--module NAME]... [--binary NAME]...
 * [--sysctl NAME]... [--connect HOST:PORT]` prints one JSON object: the wall clock when it
 * started, hostname, machine-id, os-release and /etc/system-release, kernel release and
 * architecture, CPUs, memory and swap, each --path's filesystem size and free space, which
 * --module is loaded or built in, each --sysctl's value, IPv4 routes, which --port has a
 * listening TCP socket, resolv.conf's nameservers and search domains, where each --binary is
 * on the standard PATH, whether a TCP connection to --connect succeeds within 3 seconds, and how
 * long all that took (so that the caller can place the clock reading within its own).
 */
#ifndef PROBE_HOST_H
#define PROBE_HOST_H

/* Runs `pot-probe host ...` (argv[1] is "host"); returns the exit status (0, or 2 for bad
 * arguments with {"error": ...} printed). */
int probe_host_main(int argc, char **argv);

#endif
