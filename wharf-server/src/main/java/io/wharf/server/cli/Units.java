package io.wharf.server.cli;

import java.util.Locale;

/** Values as people read them in tables: bytes in binary units, rates per second, uptimes in days and hours, yes and no. */
final class Units {

    private static final String[] BYTE_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Units() {
    }

    /** {@code 512 B}, {@code 1.5 KiB}, {@code 64 MiB}: one decimal below ten, none above. */
    static String bytes(double bytes) {
        double value = bytes;
        int unit = 0;
        while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return number(value, unit > 0 || value != Math.rint(value)) + " " + BYTE_UNITS[unit];
    }

    /** A count per second: {@code 0/s}, {@code 2.5/s}, {@code 1200/s}. */
    static String rate(double perSecond) {
        return number(perSecond, perSecond != Math.rint(perSecond)) + "/s";
    }

    /** Bytes per second: {@code 1.2 MiB/s}. */
    static String byteRate(double perSecond) {
        return bytes(perSecond) + "/s";
    }

    /** The two largest units of a duration: {@code 3d 4h}, {@code 2h 5m}, {@code 5m 12s}, {@code 12s}. */
    static String duration(long millis) {
        long seconds = Math.max(0, millis / 1000);
        long days = seconds / 86_400;
        long hours = seconds / 3600 % 24;
        long minutes = seconds / 60 % 60;
        long secs = seconds % 60;
        if (days > 0) {
            return days + "d " + hours + "h";
        }
        if (hours > 0) {
            return hours + "h " + minutes + "m";
        }
        if (minutes > 0) {
            return minutes + "m " + secs + "s";
        }
        return secs + "s";
    }

    /** A boolean field as {@code yes} or {@code no}; a missing one as nothing. */
    static String flag(com.fasterxml.jackson.databind.JsonNode value) {
        return value.isBoolean() ? (value.asBoolean() ? "yes" : "no") : "";
    }

    private static String number(double value, boolean fraction) {
        if (fraction && Math.abs(value) < 10) {
            String oneDecimal = String.format(Locale.ROOT, "%.1f", value);
            return oneDecimal.endsWith(".0") ? oneDecimal.substring(0, oneDecimal.length() - 2) : oneDecimal;
        }
        return Long.toString(Math.round(value));
    }
}
