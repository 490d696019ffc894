#include "wsframe.h"

namespace WsFrame {

int headerSize(qint64 payloadSize)
{
    if (payloadSize < 126)
        return 2;
    return payloadSize <= 0xFFFF ? 4 : 10;
}

namespace {

QByteArray frame(int opcode, const QByteArray &payload)
{
    const qint64 size = payload.size();
    QByteArray bytes;
    bytes.reserve(headerSize(size) + size);

    bytes.append(char(0x80 | opcode)); // FIN: we never fragment
    if (size < 126) {
        bytes.append(char(size));
    } else if (size <= 0xFFFF) {
        bytes.append(char(126));
        bytes.append(char(size >> 8));
        bytes.append(char(size & 0xFF));
    } else {
        bytes.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            bytes.append(char((size >> shift) & 0xFF));
    }

    bytes.append(payload);
    return bytes;
}

} // namespace

QByteArray text(const QByteArray &utf8Payload)
{
    return frame(0x1, utf8Payload);
}

QByteArray control(int opcode, const QByteArray &payload)
{
    return frame(opcode, payload.left(125));
}

QByteArray close(quint16 code, const QByteArray &reasonUtf8)
{
    const char codeBytes[2] = {char(code >> 8), char(code & 0xFF)};
    return frame(0x8, QByteArray(codeBytes, 2) + reasonUtf8.left(123));
}

QByteArray maskedText(const QByteArray &payload, quint32 mask)
{
    const qsizetype size = payload.size();
    QByteArray frame;
    frame.reserve(size + 14);

    frame.append(char(0x81));
    if (size < 126) {
        frame.append(char(0x80 | size));
    } else if (size <= 0xFFFF) {
        frame.append(char(0x80 | 126));
        frame.append(char(size >> 8));
        frame.append(char(size & 0xFF));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(size) >> shift) & 0xFF));
    }

    const char key[4] = {char(mask >> 24), char(mask >> 16), char(mask >> 8), char(mask)};
    frame.append(key, 4);
    if (mask == 0) {
        frame.append(payload);
        return frame;
    }
    for (qsizetype i = 0; i < size; ++i)
        frame.append(char(payload.at(i) ^ key[i % 4]));
    return frame;
}

qsizetype readServerFrame(const QByteArray &bytes, qsizetype at, int *opcode, QByteArray *payload)
{
    const qsizetype available = bytes.size() - at;
    if (available < 2)
        return 0;

    const uchar *data = reinterpret_cast<const uchar *>(bytes.constData()) + at;
    qint64 length = data[1] & 0x7F;
    int header = 2;
    if (length >= 126) {
        const int lengthBytes = length == 126 ? 2 : 8;
        if (available < 2 + lengthBytes)
            return 0;
        length = 0;
        for (int i = 0; i < lengthBytes; ++i)
            length = (length << 8) | data[2 + i];
        header += lengthBytes;
    }
    if (available < header + length)
        return 0;

    *opcode = data[0] & 0x0F;
    *payload = bytes.mid(at + header, length);
    return header + length;
}

} // namespace WsFrame
