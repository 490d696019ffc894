#pragma once

#include <QByteArray>
#include <QList>

// Builds complete, unmasked server-to-client WebSocket frames (RFC 6455 section 5.2), so one
// message is encoded once and the same bytes are queued for every recipient. We never fragment.
namespace WsFrame {

QByteArray text(const QByteArray &utf8Payload);

// A control frame (ping 0x9, pong 0xA) with at most 125 bytes of payload.
QByteArray control(int opcode, const QByteArray &payload);
// A close frame: the code, then a reason the caller has already cut to 123 bytes.
QByteArray close(quint16 code, const QByteArray &reasonUtf8);

// Size of the frame header text() puts before a payload of this size.
int headerSize(qint64 payloadSize);

// The client side, for tests and the load client: a masked client-to-server text frame (RFC
// 6455 section 5.3; a zero mask is valid and skips the XOR), and the reading of one unmasked
// server frame at `at`, returning the bytes it took or 0 while the frame is incomplete.
QByteArray maskedText(const QByteArray &payload, quint32 mask = 0);
qsizetype readServerFrame(const QByteArray &bytes, qsizetype at, int *opcode, QByteArray *payload);

} // namespace WsFrame
