#!/usr/bin/env python3
"""A minimal SMTP server for load tests: accepts every mail at once and
keeps only a count, so that the sender, not the sink, is what is measured.

    smtp_sink.py PORT COUNT_FILE

Writes the number of accepted mails and how many of them repeated a
Message-ID already seen (`accepted repeats`) to COUNT_FILE every 0.2 s and
on exit.
Speaks just enough SMTP for lettre: EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT.
"""
import asyncio
import os
import signal
import sys

accepted = 0
seen = set()
repeats = 0


async def session(reader, writer):
    global accepted, repeats
    writer.write(b"220 sink ESMTP\r\n")
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                writer.write(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go on\r\n")
                await writer.drain()
                message_id = None
                while True:
                    data = await reader.readline()
                    if not data or data == b".\r\n":
                        break
                    if message_id is None and data[:11].lower() == b"message-id:":
                        message_id = data[11:].strip()
                accepted += 1
                if message_id in seen:
                    repeats += 1
                seen.add(message_id)
                writer.write(b"250 accepted\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def main(port, count_file):
    server = await asyncio.start_server(session, "127.0.0.1", port, backlog=512)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    def save():
        # Whole or not at all: readers never see a half-written file.
        with open(count_file + ".new", "w") as f:
            f.write(f"{accepted} {repeats}\n")
        os.replace(count_file + ".new", count_file)

    async with server:
        while not stop.is_set():
            save()
            try:
                await asyncio.wait_for(stop.wait(), 0.2)
            except asyncio.TimeoutError:
                pass
    save()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
