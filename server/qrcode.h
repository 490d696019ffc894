#pragma once

#include <QByteArray>
#include <QList>

// QR codes through Debian's libqrencode, for the pairing and join links: as an SVG image the
// hub serves at /qr.svg, and as a module matrix the console paints itself.
namespace QrCode {

struct Matrix
{
    int size = 0; // modules per side, without the quiet zone
    QList<bool> dark; // size * size, row by row
    bool isNull() const { return size == 0; }
};

// A null matrix if the text does not fit in a QR code (about 2,300 bytes at level M).
Matrix encode(const QByteArray &utf8);

// An SVG with a 4-module quiet zone, black on white; empty if encode() fails.
QByteArray svg(const QByteArray &utf8);

} // namespace QrCode
