#!/usr/bin/env python3
# Runs a command on a pseudo-terminal and types a password at each prompt, as a person at a
# terminal would: waits for the prompt before typing, so the terminal's echo setting at that
# moment is what decides whether the password appears on the screen. Prints the screen.
#   tty-password.py PASSWORD[,PASSWORD2...] PROMPTS COMMAND...   (the last one is repeated)
import os, pty, sys

passwords, prompts, argv = sys.argv[1].encode().split(b','), int(sys.argv[2]), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
screen = b''
typed = 0
answered = 0  # how much of the screen had been answered: type once per new prompt
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    screen += chunk
    if typed < prompts and screen[answered:].rstrip().endswith(b':'):
        os.write(fd, passwords[min(typed, len(passwords) - 1)] + b'\n')
        typed += 1
        answered = len(screen)
_, status = os.waitpid(pid, 0)
sys.stdout.write(screen.decode(errors='replace'))
sys.exit(os.waitstatus_to_exitcode(status))
