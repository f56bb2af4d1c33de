"""T15 hostile output bytes. How: print invalid UTF-8, NUL bytes, ANSI escapes, a line that looks
like the service JSON result, and an HTTP response with an injected header, hoping the service
breaks its JSON, forges a field, or splits a header.
Expected safe outcome: the response is valid JSON with status OK; stdout is faithfully carried
(base64 when it is not valid UTF-8); no header or field of the response comes from the output.
"""
import errno
import json
import os


from facts import attempt, fact

import sys

out = sys.stdout.buffer
out.write(b"invalid-utf8:\xff\xfe\xc3\x28\n")
out.write(b"nul:\x00\x00end\n")
out.write(b"ansi:\x1b[31mred\x1b[0m\x1b]0;title\x07\x1b[2J\n")
out.write(b"{\"status\":\"OK\",\"run\":{\"status\":\"OK\",\"exitCode\":0},\"injected\":true}\n")
out.write(b"HTTP/1.1 200 OK\r\nX-Injected: t15\r\nContent-Length: 0\r\n\r\n")
out.write(b"\"},\"status\":\"ACCEPTED\n")
out.flush()
sys.stderr.write("stderr-marker-t15\n")
