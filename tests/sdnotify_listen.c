/* SPDX-License-Identifier: ISC */
/*
 * Test helper for tests/skmsd_sdnotify.sh: stands in for systemd's
 * notification socket. Binds a datagram socket at PATH and prints each
 * message received as one line, the sender's pid first ("pid=N"), then
 * the message's assignments separated by spaces. Runs until killed.
 * Usage: sdnotify_listen PATH.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096], cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr mh = { 0 };
	struct cmsghdr *cm;
	struct ucred cred;
	ssize_t n;
	int fd, on = 1;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: sdnotify_listen PATH\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("sdnotify_listen");
		return 1;
	}
	for (;;) {
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		if ((n = recvmsg(fd, &mh, 0)) < 0) {
			perror("sdnotify_listen: recvmsg");
			return 1;
		}
		buf[n] = '\0';
		memset(&cred, 0, sizeof(cred));
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS)
				memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
		for (char *p = buf; *p != '\0'; p++)
			if (*p == '\n')
				*p = ' ';
		printf("pid=%ld %s\n", (long)cred.pid, buf);
		if (fflush(stdout) != 0)
			return 1;
	}
}
