package dev.certwright.keys;

import java.util.List;
import java.util.Map;

/**
 * A table of private keys wrapped by {@link KeyWrapping}, each row naming the KEK that wrapped it. A KEK rotation walks
 * every such table and re-wraps its rows under the new KEK (decision 68); the module that owns the table implements this,
 * so that no module reads another's tables.
 */
public interface WrappedKeyStore {

    /** What these keys are, as the log and the audit entries name them: {@code certificate-keys}, {@code ssh-identity}. */
    String kind();

    /** How many keys name each KEK id. */
    Map<String, Long> countByKek();

    /** Up to {@code limit} keys that name {@code kekId}, with a row id above {@code afterId}, in row id order. */
    List<StoredKey> under(String kekId, long afterId, int limit);

    /**
     * Replaces a key's wrapped bytes and KEK id, if the row still names {@code fromKekId}; false when it no longer does
     * (re-wrapped or removed meanwhile). Runs in the caller's transaction.
     */
    boolean replace(long rowId, String fromKekId, KeyWrapping.Wrapped rewrapped);

    /**
     * One stored key: its row id, the context it is bound to (the additional authenticated data), the KEK it names and
     * the wrapped bytes.
     */
    record StoredKey(long rowId, String context, String kekId, byte[] wrapped) {

        @Override
        public String toString() {
            return "StoredKey[" + rowId + ", " + context + ", " + kekId + "]"; // never the bytes
        }
    }
}
