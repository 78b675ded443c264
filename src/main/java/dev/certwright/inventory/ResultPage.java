package dev.certwright.inventory;

import java.util.List;

/**
 * One page of results and how many match. {@code totalExact} is false when more than {@link #COUNT_LIMIT} match: the
 * count stops there (counting millions of rows for a page of fifty would cost more than the page), and {@code total}
 * is then that limit plus one, a lower bound.
 */
public record ResultPage<T>(List<T> items, long total, boolean totalExact, int page, int size) {

    /** The most rows a search counts exactly. */
    public static final int COUNT_LIMIT = 10_000;
}
