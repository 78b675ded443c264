#!/usr/bin/env python3
"""Shares of CPU samples in an async-profiler collapsed-stack file, by component: each sample is charged to the
component of its innermost frame that names one (so a Spring frame calling H2 counts as H2), and the JIT compiler
threads apart. Usage: profile-summary.py FILE [top-N-frames]"""
import collections
import sys

RULES = [  # (component, substring of a frame), tried in order for each frame from the leaf up
    ('H2 database', 'org/h2/'), ('Hikari pool', 'com/zaxxer'), ('PostgreSQL driver', 'org/postgresql'),
    ('ACCP (AWS-LC)', 'amazon/corretto'), ('ACCP (AWS-LC)', 'libamazonCorrettoCryptoProvider'), ('Bouncy Castle', 'bouncycastle'),
    ('Nimbus JOSE', 'nimbusds'), ('Jackson', 'tools/jackson'), ('Tomcat HTTP/2', 'coyote/http2'), ('JSSE TLS', 'sun/security/ssl'),
    ('Tomcat', 'org/apache/'), ('Spring Security', 'springframework/security'), ('Spring JDBC/tx', 'springframework/jdbc'),
    ('Spring JDBC/tx', 'springframework/transaction'), ('Spring MVC', 'springframework/web'), ('Spring (other)', 'springframework'),
    ('dnsjava', 'org/xbill'), ('Logback', 'ch/qos/logback'), ('Micrometer', 'io/micrometer'), ('Certwright', 'dev/certwright'),
    ('JDK crypto', 'sun/security'), ('JDK NIO/net', 'sun/nio'), ('virtual-thread scheduling', 'VirtualThread'),
    ('virtual-thread scheduling', 'ForkJoin'), ('GC', 'G1'), ('kernel', '_[k]'),
]


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    shares = collections.Counter()
    leaves = collections.Counter()
    total = 0
    for line in open(path, encoding='utf-8', errors='replace'):
        stack, _, count = line.rstrip('\n').rpartition(' ')
        if not stack:
            continue
        n = int(count)
        total += n
        frames = stack.split(';')
        leaves[frames[-1]] += n
        if 'CompilerThre' in frames[0] or 'CompileBroker' in stack:
            shares['JIT compiler'] += n
            continue
        component = 'other'
        for frame in reversed(frames):
            hit = next((name for name, pattern in RULES if pattern in frame), None)
            if hit:
                component = hit
                break
        shares[component] += n
    print(f'{total} samples')
    for name, n in shares.most_common():
        print(f'  {name:28s} {100 * n / total:5.1f} %')
    for frame, n in leaves.most_common(top):
        print(f'  leaf {100 * n / total:5.1f} % {frame[:140]}')


if __name__ == '__main__':
    main()
