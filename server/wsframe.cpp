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
