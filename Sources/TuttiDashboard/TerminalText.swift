extension String {
    /// The text made safe for one grid cell per character: escape sequences removed, tabs
    /// expanded, other control characters and characters that take two columns or none
    /// (wide East Asian, emoji, combining marks) replaced, so nothing shifts the screen.
    public var terminalSafe: String {
        var result = ""
        var scalars = unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            switch scalar.value {
            case 0x1B:
                // ESC [ ... final byte; ESC ] (and P, X, ^, _) ... BEL or ESC \; or ESC and one more character.
                switch scalars.next()?.value {
                case 0x5B?: while let byte = scalars.next(), !(0x40...0x7E).contains(byte.value) {}
                case 0x5D?, 0x50?, 0x58?, 0x5E?, 0x5F?:
                    while let byte = scalars.next(), byte.value != 0x07, byte.value != 0x9C {
                        if byte.value == 0x1B {
                            _ = scalars.next()
                            break
                        }
                    }
                default: break
                }
            case 0x9B:
                // The one-character CSI: its parameters and final byte go with it.
                while let byte = scalars.next(), !(0x40...0x7E).contains(byte.value) {}
            case 0x09:
                result += "    "
            case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029:
                result += " "
            case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                // Bidirectional controls would reorder the row on screen.
                continue
            default:
                if Self.isWide(scalar) {
                    result += "?"
                } else if scalar.properties.generalCategory == .nonspacingMark
                            || scalar.properties.generalCategory == .enclosingMark || scalar.value == 0x200D
                            || (0xFE00...0xFE0F).contains(scalar.value) {
                    continue
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    private static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
             0x1F900...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
