package io.wharf.core.exchange;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Equality of header and argument values as routing sees it: numbers by value whatever their
 * width, text and binary by their bytes, tables and arrays element by element.
 */
public final class FieldValues {

    private FieldValues() {
    }

    public static boolean valuesEqual(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (isInteger(a) && isInteger(b)) {
            return ((Number) a).longValue() == ((Number) b).longValue();
        }
        if (a instanceof Number x && b instanceof Number y) {
            return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString())) == 0;
        }
        if ((a instanceof String || a instanceof byte[]) && (b instanceof String || b instanceof byte[])) {
            return Arrays.equals(bytes(a), bytes(b));
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            return tablesEqual(x, y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            Iterator<?> i = x.iterator();
            Iterator<?> j = y.iterator();
            while (i.hasNext()) {
                if (!valuesEqual(i.next(), j.next())) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    public static boolean tablesEqual(Map<?, ?> a, Map<?, ?> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<?, ?> e : a.entrySet()) {
            if (!b.containsKey(e.getKey()) || !valuesEqual(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** The value as a whole number, or null if it is not one (text holding digits counts). */
    public static Long asLong(Object v) {
        if (isInteger(v)) {
            return ((Number) v).longValue();
        }
        if (v instanceof String s || v instanceof byte[]) {
            String t = v instanceof String s2 ? s2 : new String((byte[]) v, StandardCharsets.UTF_8);
            try {
                return Long.parseLong(t.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** The value as text, or null if it is neither text nor bytes. */
    public static String asString(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        return null;
    }

    private static boolean isInteger(Object v) {
        return v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte;
    }

    private static byte[] bytes(Object v) {
        return v instanceof byte[] b ? b : ((String) v).getBytes(StandardCharsets.UTF_8);
    }
}
