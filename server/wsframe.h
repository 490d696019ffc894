#pragma once

#include <QByteArray>
#include <QList>

// Builds complete, unmasked server-to-client WebSocket frames (RFC 6455 section 5.2), so one
// message is encoded once and the same bytes are written to every recipient.
//
// Why writing these straight to a QWebSocket's QTcpSocket is safe: QWebSocket writes each of
// its own frames (pings, pongs, close) with synchronous QTcpSocket::write() calls on the engine
// thread, and so do we, always a whole frame per call. Two writers on one thread cannot
// interleave inside a call, so a control frame can land only between two of our frames, which
// RFC 6455 section 5.4 allows. We never fragment, and we never write after close().
namespace WsFrame {

QByteArray text(const QByteArray &utf8Payload);

// Size of the frame header text() puts before a payload of this size.
int headerSize(qint64 payloadSize);

// Decodes complete, masked, unfragmented client frames (text, and pings, which it skips) into
// their text payloads. Returns false if the bytes end inside a frame or hold anything else.
// Only used for the bytes Qt 6.4.2 swallows with the handshake (see Gateway).
bool decodeClientTexts(const QByteArray &bytes, QList<QByteArray> *texts);

// The client side, for tests and the load client: a masked client-to-server text frame (RFC
// 6455 section 5.3; a zero mask is valid and skips the XOR), and the reading of one unmasked
// server frame at `at`, returning the bytes it took or 0 while the frame is incomplete.
QByteArray maskedText(const QByteArray &payload, quint32 mask = 0);
qsizetype readServerFrame(const QByteArray &bytes, qsizetype at, int *opcode, QByteArray *payload);

} // namespace WsFrame
