/*
 * nslaunch.c: start many daemons, each in its own network namespace, as fast
 * as the kernel forks them (bench/mesh.sh, bench/rr.sh).
 *
 *   nslaunch EXITS < LIST
 *
 * LIST has one line per daemon, fields separated by tabs:
 *   NETNS  LOGFILE  PROGRAM  [ARG ...]
 * NETNS is a name in /run/netns (as `ip netns add` makes it). The child
 * enters that network namespace (setns), takes stdin from /dev/null and
 * appends stdout and stderr to LOGFILE, and execs PROGRAM (PATH searched).
 *
 * stdout: the child's pid for each line, in order, then "started" once the
 * last fork returned; then stdout is closed. nslaunch stays as the
 * children's parent and reaps them: each exit is appended to EXITS as
 * "PID STATUS" (the exit code, or 128 + the signal), and nslaunch exits
 * when the last child has.
 *
 * Why not a loop of `ip netns exec ... &` in the script: each of those forks
 * the benchmark's bash (tens of MiB of page tables to copy on a small VM:
 * 25-40 ms a fork here) and then `ip` (a mount namespace and a sysfs mount
 * per daemon), the same for both daemons, so the launch dominated a 100-host
 * start and the daemon that works while the others are launched paid for it.
 * Neither daemon reads /sys, so the mount namespace is not needed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS	64

static void
child(char *ns, char *log, char **argv)
{
	char path[4096];
	int fd;

	if (snprintf(path, sizeof(path), "/run/netns/%s", ns) >= (int)sizeof(path))
		_exit(126);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "nslaunch: %s: %s\n", path, strerror(errno));
		_exit(126);
	}
	close(fd);
	if ((fd = open("/dev/null", O_RDONLY)) < 0 || dup2(fd, 0) < 0)
		_exit(126);
	close(fd);
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644)) < 0 ||
	    dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(126);
	close(fd);
	execvp(argv[0], argv);
	fprintf(stderr, "nslaunch: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int
main(int argc, char **argv)
{
	char *line = NULL, *args[MAX_ARGS + 1], *ns, *log, *p;
	size_t cap = 0;
	ssize_t len;
	unsigned long lineno = 0;
	FILE *ex;
	pid_t pid;
	int n, st;

	if (argc != 2) {
		fprintf(stderr, "usage: nslaunch EXITS < LIST\n");
		return 2;
	}
	if ((ex = fopen(argv[1], "a")) == NULL) {
		fprintf(stderr, "nslaunch: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	setvbuf(ex, NULL, _IOLBF, 0);
	while ((len = getline(&line, &cap, stdin)) > 0) {
		lineno++;
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		p = line;
		ns = strsep(&p, "\t");
		log = strsep(&p, "\t");
		for (n = 0; p != NULL && n < MAX_ARGS; n++)
			args[n] = strsep(&p, "\t");
		args[n] = NULL;
		if (log == NULL || n == 0 || p != NULL) {
			fprintf(stderr, "nslaunch: line %lu: NETNS LOG PROGRAM [ARG...]"
			    " (at most %d args)\n", lineno, MAX_ARGS);
			return 1;
		}
		if ((pid = fork()) < 0) {
			fprintf(stderr, "nslaunch: fork: %s\n", strerror(errno));
			return 1;
		}
		if (pid == 0)
			child(ns, log, args);
		printf("%ld\n", (long)pid);
	}
	free(line);
	printf("started\n");
	fflush(stdout);
	fclose(stdout);
	while ((pid = wait(&st)) > 0)
		fprintf(ex, "%ld %d\n", (long)pid,
		    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return errno == ECHILD ? 0 : 1;
}
