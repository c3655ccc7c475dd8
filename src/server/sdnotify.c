/* SPDX-License-Identifier: ISC */
/*
 * The sd_notify(3) messages of skmsd (see sdnotify.h). Compiled only when
 * configure found libsystemd. The messages say what already happened;
 * nothing here waits for systemd or decides anything.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "server/log.h"
#include "server/sdnotify.h"

static void
sdnotify_send(const char *what, int rc)
{
	/* 0: no NOTIFY_SOCKET, not started by systemd. */
	if (rc < 0)
		log_debug("sd_notify %s: %s", what, strerror(-rc));
}

void
sdnotify_ready(const char *status)
{
	sdnotify_send("READY", sd_notifyf(0, "READY=1\nSTATUS=%s", status));
}

void
sdnotify_reloading(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		sdnotify_send("RELOADING", sd_notify(0, "RELOADING=1"));
		return;
	}
	sdnotify_send("RELOADING", sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL));
}

void
sdnotify_stopping(void)
{
	sdnotify_send("STOPPING", sd_notify(0, "STOPPING=1\nSTATUS=draining"));
}
