package dev.herald.server.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One page of a list: pass {@code next} as {@code after} for the following page.
 *
 * @param items the page's items
 * @param next  the cursor of the following page, {@code null} on the last page
 * @param total how many there are in all, where the list counts them
 * @param <T>   the item type
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Page<T>(List<T> items, String next, @JsonInclude(JsonInclude.Include.NON_NULL) Long total) {
}
