package dev.herald.server.http;

import dev.herald.event.Violation;
import io.javalin.http.Context;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Query parameters read with their rules: a bad value is a 400 naming the parameter and the rule. */
public final class QueryParams {

    private QueryParams() {
    }

    /**
     * An integer parameter within bounds.
     *
     * @throws Problem 400 when it is not an integer from {@code min} to {@code max}
     */
    public static int integer(Context ctx, String name, int fallback, int min, int max) {
        String text = ctx.queryParam(name);
        if (text == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new Problem(400, "Invalid query parameter", name + ": must be an integer from " + min + " to " + max,
                List.of(new Violation(name, "must be an integer from " + min + " to " + max, text)));
    }

    /**
     * An enum parameter, case-insensitive; empty when absent.
     *
     * @throws Problem 400 naming the allowed values when it is none of them
     */
    public static <E extends Enum<E>> Optional<E> enumValue(Context ctx, String name, Class<E> type) {
        String text = ctx.queryParam(name);
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Enum.valueOf(type, text.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new Problem(400, "Invalid query parameter", name + ": unknown value " + text,
                    List.of(new Violation(name, "must be one of " + Arrays.toString(type.getEnumConstants())
                            .toLowerCase(Locale.ROOT), text)));
        }
    }
}
