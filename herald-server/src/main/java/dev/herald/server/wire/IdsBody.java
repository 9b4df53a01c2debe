package dev.herald.server.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The body of acks, nacks and dead-letter redrives or discards.
 *
 * @param ids   the event ids (acks, nacks) or dead letter ids
 * @param all   every dead letter (redrive, discard), instead of {@code ids}
 * @param delay how long before a nacked event is delivered again (nacks)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record IdsBody(List<String> ids, Boolean all, String delay) {

    /** These ids. */
    public static IdsBody of(List<String> ids) {
        return new IdsBody(ids, null, null);
    }

    /** Every dead letter. */
    public static IdsBody everything() {
        return new IdsBody(null, true, null);
    }
}
