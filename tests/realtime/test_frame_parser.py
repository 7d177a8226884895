"""The websocket frame parser of detached websockets (realtime/sockets/fastpath.py), fed frames as a
client sends them (wsproto builds them, masked) in every split the network may give."""

import pytest
from wsproto.frame_protocol import FrameProtocol, Opcode

from ricemill.realtime.sockets.fastpath import FrameError, FrameParser


def client_frames(*messages) -> bytes:
    """Each (opcode, payload, fin) as a masked client frame."""
    proto = FrameProtocol(client=True, extensions=[])
    out = b""
    for opcode, payload, fin in messages:
        if opcode is Opcode.PING:
            out += proto.ping(payload)
        else:
            out += proto.send_data(payload, fin)
    return out


def feed_in_pieces(parser, data: bytes, size: int) -> list:
    out = []
    for start in range(0, len(data), size):
        out += parser.feed(data[start : start + size])
    return out


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 4096])
def test_messages_come_out_whole_however_the_bytes_arrive(piece):
    big = "é" * 40_000  # 80,000 bytes: the 64-bit length
    medium = bytes(range(256)) * 4  # 1,024 bytes: the 16-bit length
    data = client_frames(
        (Opcode.TEXT, "2", True),
        (Opcode.BINARY, medium, True),
        (Opcode.TEXT, big[:100], False),  # a fragmented message with a ping between its fragments
        (Opcode.PING, b"ping!", True),
        (Opcode.TEXT, big[100:], True),
        (Opcode.TEXT, "", True),
    )
    got = feed_in_pieces(FrameParser(limit=100_000), data, piece)
    assert got == ["2", medium, (0x9, b"ping!"), big, ""]


def test_a_message_over_the_limit_is_refused_before_its_payload_arrives():
    parser = FrameParser(limit=1000)
    header = client_frames((Opcode.TEXT, "x" * 2000, True))[:8]  # header and mask only
    with pytest.raises(FrameError) as error:
        parser.feed(header)
    assert error.value.status == 1009
    fragments = client_frames((Opcode.TEXT, "x" * 600, False), (Opcode.TEXT, "x" * 600, True))
    with pytest.raises(FrameError) as error:
        FrameParser(limit=1000).feed(fragments)
    assert error.value.status == 1009


def test_a_new_message_inside_a_fragmented_one_is_a_protocol_error():
    proto = FrameProtocol(client=True, extensions=[])
    first = proto.send_data("half", False)
    other = FrameProtocol(client=True, extensions=[]).send_data("another", True)  # TEXT, not CONTINUATION
    with pytest.raises(FrameError) as error:
        FrameParser(limit=1000).feed(first + other)
    assert error.value.status == 1002


def test_a_close_frame_is_handed_over_as_a_control_frame():
    proto = FrameProtocol(client=True, extensions=[])
    assert FrameParser(limit=1000).feed(proto.close(1000, "bye")) == [(0x8, b"\x03\xe8bye")]
