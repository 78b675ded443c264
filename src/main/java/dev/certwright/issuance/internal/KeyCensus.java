package dev.certwright.issuance.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.certwright.keys.WrappedKeyStore;

/**
 * How many stored keys each KEK wraps, per kind of key (certificate keys, the SSH identity): what a KEK rotation
 * reports when it starts, while it runs and when it ends (decision 68).
 *
 * @param byKind per kind of key, the count of keys per KEK id
 */
public record KeyCensus(Map<String, Map<String, Long>> byKind) {

    public KeyCensus {
        Map<String, Map<String, Long>> copy = new LinkedHashMap<>();
        byKind.forEach((kind, counts) -> copy.put(kind, Map.copyOf(counts)));
        byKind = java.util.Collections.unmodifiableMap(copy);
    }

    /** Counts every store's keys. */
    public static KeyCensus of(List<WrappedKeyStore> stores) {
        Map<String, Map<String, Long>> byKind = new LinkedHashMap<>();
        for (WrappedKeyStore store : stores) {
            byKind.put(store.kind(), store.countByKek());
        }
        return new KeyCensus(byKind);
    }

    /** All kinds together: keys per KEK id, in name order. */
    public Map<String, Long> byKek() {
        Map<String, Long> merged = new TreeMap<>();
        byKind.values().forEach(counts -> counts.forEach((kek, n) -> merged.merge(kek, n, Long::sum)));
        return merged;
    }

    /** How many keys name a KEK other than {@code kekId}. */
    public long notUnder(String kekId) {
        return byKek().entrySet().stream().filter(e -> !e.getKey().equals(kekId)).mapToLong(Map.Entry::getValue).sum();
    }

    /** How many keys name a KEK that is not among {@code held} (nothing can unwrap them). */
    public long underNoneOf(java.util.Collection<String> held) {
        return byKek().entrySet().stream().filter(e -> !held.contains(e.getKey())).mapToLong(Map.Entry::getValue).sum();
    }

    /** Per kind, how many keys name {@code kekId}: {@code certificate-keys=12 ssh-identity=1}, for the audit entries. */
    public String under(String kekId) {
        return byKind.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().getOrDefault(kekId, 0L)).collect(Collectors.joining(" "));
    }

    /** Per kind, how many keys name another KEK than {@code kekId}. */
    public String otherThan(String kekId) {
        return byKind.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().entrySet().stream().filter(c -> !c.getKey().equals(kekId)).mapToLong(Map.Entry::getValue).sum())
                .collect(Collectors.joining(" "));
    }
}
