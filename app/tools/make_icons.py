"""Draws forecourt's app icons (a steering wheel on the brand blue) as PNG with zlib only."""
import math, struct, zlib, sys

BG = (0x1d, 0x3b, 0x63)
FG = (0xff, 0xff, 0xff)
ACC = (0xf2, 0xa9, 0x00)

def inside_rounded_square(x, y, s, r):
    # x,y in [0,s)
    cx = min(max(x, r), s - r)
    cy = min(max(y, r), s - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r

def wheel(x, y, c, R):
    """Return colour of the steering wheel at (x,y) or None. c centre, R outer radius."""
    dx, dy = x - c, y - c
    d = math.hypot(dx, dy)
    ring = 0.17 * R
    if R - ring <= d <= R:
        return FG
    hub = 0.24 * R
    if d <= hub:
        return ACC if d <= hub * 0.45 else FG
    spoke = 0.085 * R
    inner = R - ring / 2
    # horizontal spokes (left/right), slightly below the centre line like a real wheel
    if abs(dy - 0.0) <= spoke and d <= inner:
        return FG
    # lower spoke
    if dy > 0 and abs(dx) <= spoke * 1.1 and d <= inner:
        return FG
    return None

def render(size, maskable, corner=0.2, ss=4):
    rows = []
    c = size / 2
    R = size * (0.29 if maskable else 0.33)
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(ss):
                for sx in range(ss):
                    x = px + (sx + 0.5) / ss
                    y = py + (sy + 0.5) / ss
                    if not maskable and not inside_rounded_square(x, y, size, size * corner):
                        continue
                    col = wheel(x, y, c, R) or BG
                    acc[0] += col[0]; acc[1] += col[1]; acc[2] += col[2]; acc[3] += 255
            n = ss * ss
            a = acc[3] / n
            if a == 0:
                row += bytes((0, 0, 0, 0))
            else:
                k = 255 / acc[3] * n / n
                row += bytes((round(acc[0] / (acc[3] / 255)), round(acc[1] / (acc[3] / 255)),
                              round(acc[2] / (acc[3] / 255)), round(a)))
        rows.append(bytes(row))
    raw = b"".join(rows)
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))

out = sys.argv[1]
for name, size, mask in [("icon-192.png", 192, False), ("icon-512.png", 512, False),
                         ("icon-maskable-512.png", 512, True), ("apple-touch-icon.png", 180, True)]:
    with open(f"{out}/{name}", "wb") as f:
        f.write(render(size, mask))
    print(name)
