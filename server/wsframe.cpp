#include "wsframe.h"

namespace WsFrame {

int headerSize(qint64 payloadSize)
{
    if (payloadSize < 126)
        return 2;
    return payloadSize <= 0xFFFF ? 4 : 10;
}

QByteArray text(const QByteArray &utf8Payload)
{
    const qint64 size = utf8Payload.size();
    QByteArray frame;
    frame.reserve(headerSize(size) + size);

    frame.append(char(0x81)); // FIN + opcode 1 (text)
    if (size < 126) {
        frame.append(char(size));
    } else if (size <= 0xFFFF) {
        frame.append(char(126));
        frame.append(char(size >> 8));
        frame.append(char(size & 0xFF));
    } else {
        frame.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((size >> shift) & 0xFF));
    }

    frame.append(utf8Payload);
    return frame;
}

bool decodeClientTexts(const QByteArray &bytes, QList<QByteArray> *texts)
{
    qsizetype at = 0;
    while (at < bytes.size()) {
        if (bytes.size() - at < 2)
            return false;
        const uchar first = uchar(bytes.at(at));
        const uchar second = uchar(bytes.at(at + 1));
        const int opcode = first & 0x0F;
        const bool final = first & 0x80;
        const bool masked = second & 0x80;
        if (!final || !masked || (opcode != 0x1 && opcode != 0x9))
            return false;

        qint64 length = second & 0x7F;
        qsizetype header = 2;
        if (length >= 126) {
            const int lengthBytes = length == 126 ? 2 : 8;
            if (bytes.size() - at < 2 + lengthBytes)
                return false;
            length = 0;
            for (int i = 0; i < lengthBytes; ++i)
                length = (length << 8) | uchar(bytes.at(at + 2 + i));
            header += lengthBytes;
        }
        header += 4; // the mask key
        if (length < 0 || bytes.size() - at - header < length)
            return false;

        if (opcode == 0x1) {
            const char *mask = bytes.constData() + at + header - 4;
            QByteArray payload = bytes.mid(at + header, length);
            for (qsizetype i = 0; i < payload.size(); ++i)
                payload[i] = char(payload.at(i) ^ mask[i % 4]);
            texts->append(payload);
        }
        at += header + length;
    }
    return true;
}

} // namespace WsFrame
