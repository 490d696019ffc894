#include "qrcode.h"

#include <qrencode.h>

namespace QrCode {

Matrix encode(const QByteArray &utf8)
{
    QRcode *code = QRcode_encodeString8bit(utf8.constData(), 0, QR_ECLEVEL_M);
    if (!code)
        return {};

    Matrix matrix;
    matrix.size = code->width;
    matrix.dark.resize(qsizetype(code->width) * code->width);
    for (qsizetype i = 0; i < matrix.dark.size(); ++i)
        matrix.dark[i] = code->data[i] & 1; // bit 0 is "dark"; the others are libqrencode's
    QRcode_free(code);
    return matrix;
}

QByteArray svg(const QByteArray &utf8)
{
    const Matrix matrix = encode(utf8);
    if (matrix.isNull())
        return {};

    constexpr int Quiet = 4;
    const QByteArray side = QByteArray::number(matrix.size + 2 * Quiet);
    QByteArray out =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + side + ' ' + side
        + "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
          "<path fill=\"#000\" d=\"";
    for (int y = 0; y < matrix.size; ++y) {
        for (int x = 0; x < matrix.size; ++x) {
            if (matrix.dark.at(qsizetype(y) * matrix.size + x))
                out += 'M' + QByteArray::number(x + Quiet) + ',' + QByteArray::number(y + Quiet)
                       + "h1v1h-1z";
        }
    }
    out += "\"/></svg>\n";
    return out;
}

} // namespace QrCode
