package dev.certwright.inventory;

import java.util.List;

/** One page of results and the total count. */
public record ResultPage<T>(List<T> items, long total, int page, int size) {
}
