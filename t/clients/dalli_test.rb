# frozen_string_literal: true

# Dalli 3.0.6 (Debian ruby-dalli; binary protocol only) against a running server:
#
#   ruby t/clients/dalli_test.rb PORT [USER PASSWORD] [minitest options, e.g. -v -n /cas/]
#
# Without USER the server must run without SASL; with USER/PASSWORD it must run with -S
# and that account, and the SASL-only tests run too. t/clients/test_dalli.py starts the
# server, runs this and turns each "DALLI-RESULT {json}" line into one Python test.
#
# What Dalli puts on the wire (lib/dalli/protocol/binary*.rb): connect -> [SASL_LIST_MECHS,
# SASL_AUTH "PLAIN"] + VERSION; get/fetch/get_cas -> GET; get_multi -> GETKQ per key +
# NOOP; set/add/replace -> SET/ADD/REPLACE (SETQ/ADDQ/REPLACEQ inside `multi`, ended by
# NOOP); delete -> DELETE (DELETEQ in multi); append/prepend -> APPEND/PREPEND; incr/decr ->
# INCR/DECR (expiry 0xFFFFFFFF when no default is given, so a miss stays a miss); touch ->
# TOUCH; gat -> GAT; flush -> FLUSH; stats -> STAT; version -> VERSION.

require 'json'
require 'logger'
require 'securerandom'

PORT = Integer(ARGV.shift || abort('usage: dalli_test.rb PORT [USER PASSWORD] [minitest options]'))
if ARGV[0] && !ARGV[0].start_with?('-')
  SASL_USER = ARGV.shift
  SASL_PASSWORD = ARGV.shift || abort('a USER needs a PASSWORD')
else
  SASL_USER = nil
  SASL_PASSWORD = nil
end
# memcached 1.6.18 answers incr/decr of a value >= 2**63 with "non-numeric" at random
# (it runs strchr(value, '-') past the end of the item); slabd must not.
MEMCACHED = ENV.fetch('T_SERVER', 'slabd').strip.downcase == 'memcached'

require 'dalli'
require 'minitest/autorun'

Dalli.logger = Logger.new($stderr)
Dalli.logger.level = Logger::ERROR

# One JSON line per test, for test_dalli.py; minitest's own report follows as usual.
module Minitest
  class SlabdResultReporter < AbstractReporter
    def record(result)
      status = if result.skipped? then 'skip'
               elsif result.error? then 'error'
               elsif result.passed? then 'pass'
               else 'fail'
               end
      message = result.failures.map { |f| "#{f.class}: #{f.message}\n#{(f.backtrace || []).first(8).join("\n")}" }.join("\n")
      $stdout.puts "DALLI-RESULT #{JSON.generate(class: result.klass, name: result.name, status: status,
                                                 assertions: result.assertions, message: message)}"
      $stdout.flush
    end
  end

  def self.plugin_slabd_results_init(_options)
    reporter << SlabdResultReporter.new
  end
end
Minitest.extensions << 'slabd_results'

# Shared helpers: a client for the server under test, flushed before each test.
module DalliHelpers
  SERVER = "127.0.0.1:#{PORT}"

  def client(username: SASL_USER, password: SASL_PASSWORD, **opts)
    options = { socket_timeout: 5, socket_max_failures: 1, socket_failure_delay: 0.01,
                down_retry_delay: 0 }.merge(opts)
    options[:username] = username if username
    options[:password] = password if password
    c = Dalli::Client.new(SERVER, options)
    (@clients ||= []) << c
    c
  end

  def setup
    @dc = client
    assert_equal [true], @dc.flush
  end

  def teardown
    (@clients || []).each(&:close)
  end

  def assert_big_incr(want)
    got = yield
    assert_equal want, got
  rescue Dalli::DalliError => e
    raise unless MEMCACHED && e.message.include?('Response error 6')
  end
end

class DalliOpsTest < Minitest::Test
  include DalliHelpers

  def test_version_and_alive
    @dc.alive!
    assert_equal({ DalliHelpers::SERVER => '1.6.18' }, @dc.version)
  end

  def test_set_get_miss
    cas = @dc.set('k', 'v')
    assert_kind_of Integer, cas
    assert_operator cas, :>, 0
    assert_equal 'v', @dc.get('k')
    assert_nil @dc.get('missing')
    @dc.set('k', { a: [1, 2.5, 'x'] })         # Marshal-serialized, flag 0x1
    assert_equal({ a: [1, 2.5, 'x'] }, @dc.get('k'))
  end

  def test_binary_safe_raw_values
    bin = (0..255).map(&:chr).join.b + "\r\nEND\r\n\0".b * 3
    @dc.set('bin', bin, nil, raw: true)
    assert_equal bin, @dc.get('bin').b
    @dc.set('empty', '', nil, raw: true)
    assert_equal '', @dc.get('empty')
  end

  def test_large_value
    big = SecureRandom.random_bytes(500 * 1024)  # incompressible, under value_max_bytes
    assert @dc.set('big', big, nil, raw: true)
    assert_equal big, @dc.get('big').b
    assert_equal({ 'big' => big }, @dc.get_multi('big', 'nope').transform_values(&:b))
  end

  def test_get_multi_1000
    data = (0...1000).to_h { |i| [format('key:%06d', i), "value:#{i}:" * (1 + i % 7)] }
    @dc.multi { data.each { |k, v| @dc.set(k, v, nil, raw: true) } }   # SETQ x 1000 + NOOP
    got = @dc.get_multi(data.keys + %w[absent1 absent2])
    assert_equal data.size, got.size
    assert(data == got, 'get_multi returned different values')
    assert_equal({}, @dc.get_multi('absent1'))
    hits = {}
    @dc.get_multi('key:000001', 'key:000002') { |k, v| hits[k] = v }
    assert_equal({ 'key:000001' => 'value:1:' * 2, 'key:000002' => 'value:2:' * 3 }, hits)
  end

  def test_add_replace
    assert_kind_of Integer, @dc.add('a', '1')
    assert_equal false, @dc.add('a', '2')        # 0x02 exists
    assert_equal '1', @dc.get('a')
    assert_kind_of Integer, @dc.replace('a', 'R')
    assert_equal 'R', @dc.get('a')
    # Dalli turns "not found" (0x01) into the CAS of the response header: 0
    assert_equal 0, @dc.replace('nope', 'x')
    assert_nil @dc.get('nope')
  end

  def test_append_prepend
    @dc.set('a', 'mid', nil, raw: true)
    assert_equal true, @dc.append('a', '>')
    assert_equal true, @dc.prepend('a', '<')
    assert_equal '<mid>', @dc.get('a')
    assert_equal false, @dc.append('nope', 'x')  # 0x05 not stored
    assert_equal false, @dc.prepend('nope', 'x')
    assert_nil @dc.get('nope')
  end

  def test_delete
    @dc.set('d', '1')
    assert_equal true, @dc.delete('d')
    assert_nil @dc.delete('d')                    # 0x01 -> nil
    assert_nil @dc.get('d')
  end

  def test_incr_decr
    assert_nil @dc.incr('n')                      # no default: a miss stays a miss
    assert_nil @dc.decr('n')
    assert_nil @dc.get('n')
    assert_equal 10, @dc.incr('n', 1, nil, 10)    # created with the default
    assert_equal 15, @dc.incr('n', 5)
    assert_equal 12, @dc.decr('n', 3)
    assert_equal 0, @dc.decr('n', 100)            # floors at 0
    assert_equal 7, @dc.decr('m', 1, nil, 7)
    assert_equal '7', @dc.get('m', raw: true)
    @dc.set('s', 'abc', nil, raw: true)
    err = assert_raises(Dalli::DalliError) { @dc.incr('s') }
    assert_match(/Response error 6/, err.message)
    @dc.set('max', '18446744073709551615', nil, raw: true)
    assert_big_incr(1) { @dc.incr('max', 2) }     # wraps at 2**64
    @dc.set('max', '18446744073709551615', nil, raw: true)
    assert_big_incr(18_446_744_073_709_551_610) { @dc.decr('max', 5) }
  end

  def test_cas
    @dc.set('c', 'one')
    value, cas = @dc.get_cas('c')
    assert_equal 'one', value
    assert_operator cas, :>, 0
    new_cas = @dc.cas('c') { |v| "#{v}+two" }
    assert_kind_of Integer, new_cas
    refute_equal cas, new_cas
    assert_equal 'one+two', @dc.get('c')
    assert_equal false, @dc.set_cas('c', 'stale', cas)   # 0x02 exists
    assert_kind_of Integer, @dc.set_cas('c', 'fresh', new_cas)
    assert_equal 'fresh', @dc.get('c')
    assert_nil @dc.cas('nope') { |_| 'x' }               # cas on a miss does nothing
    assert_nil @dc.get('nope')
    assert_kind_of Integer, @dc.cas!('nope') { |v| "was #{v.inspect}" }
    assert_equal 'was nil', @dc.get('nope')
    _, cas2 = @dc.get_cas('c')
    assert_equal false, @dc.delete_cas('c', cas2 + 1)
    assert_equal true, @dc.delete_cas('c', cas2)
    assert_nil @dc.get('c')
  end

  def test_get_multi_cas
    @dc.set('a', 'A')
    @dc.set('b', 'B')
    got = @dc.get_multi_cas('a', 'b', 'c')
    assert_equal %w[a b], got.keys.sort
    assert_equal 'A', got['a'][0]
    assert_equal @dc.get_cas('a')[1], got['a'][1]
  end

  # Dalli rewrites a ttl over 30 days that is not in the future into now + ttl; with its
  # clock stubbed to 0 an absolute time in the past reaches the server as it is.
  def with_unsanitized_ttl
    sanitizer = Dalli::Protocol::TtlSanitizer
    orig = sanitizer.method(:current_timestamp)
    sanitizer.define_singleton_method(:current_timestamp) { 0 }
    yield
  ensure
    sanitizer.define_singleton_method(:current_timestamp, orig)
  end

  def test_touch_gat
    past = 1_000_000_000                          # absolute time in the past: expire now
    @dc.set('t', 'v')
    assert_equal true, @dc.touch('t', 100)
    assert_nil @dc.touch('nope', 100)
    assert_equal 'v', @dc.gat('t', 100)
    assert_nil @dc.gat('nope', 100)
    assert_equal 'v', @dc.get('t')
    @dc.set('g', 'w')
    with_unsanitized_ttl do
      assert_equal true, @dc.touch('t', past)
      assert_equal 'w', @dc.gat('g', past)        # returns the value, then it is gone
    end
    assert_nil @dc.get('t')
    assert_nil @dc.get('g')
  end

  def test_set_with_expired_ttl
    with_unsanitized_ttl { @dc.set('e', 'v', 1_000_000_000) }
    assert_nil @dc.get('e')
    @dc.set('f', 'v', 1000)
    assert_equal 'v', @dc.get('f')
  end

  def test_fetch
    calls = 0
    assert_equal 'computed', @dc.fetch('f') { calls += 1; 'computed' }
    assert_equal 'computed', @dc.fetch('f') { calls += 1; 'other' }
    assert_equal 1, calls
    assert_nil @dc.fetch('g')
  end

  def test_multi_quiet_ops
    @dc.set('x', 'old')
    @dc.multi do
      @dc.set('m1', 'one')
      @dc.add('m2', 'two')
      @dc.add('x', 'not added')                   # ADDQ failure: swallowed
      @dc.replace('nope', 'y')                    # REPLACEQ failure: swallowed
      @dc.delete('x')
    end
    assert_equal({ 'm1' => 'one', 'm2' => 'two' }, @dc.get_multi('m1', 'm2', 'x', 'nope'))
  end

  def test_flush
    @dc.set('x', '1')
    @dc.set('y', '2')
    assert_equal [true], @dc.flush
    assert_equal({}, @dc.get_multi('x', 'y'))
    @dc.set('x', '3')
    assert_equal '3', @dc.get('x')
  end

  def test_stats
    before = @dc.stats[DalliHelpers::SERVER]
    @dc.set('s1', '1')
    @dc.get('s1')
    @dc.get('s2')
    stats = @dc.stats
    assert_equal [DalliHelpers::SERVER], stats.keys
    st = stats[DalliHelpers::SERVER]
    assert_equal '1.6.18', st['version']
    { 'cmd_set' => 1, 'get_hits' => 1, 'get_misses' => 1 }.each do |k, d|
      assert_equal d, st[k].to_i - before[k].to_i, k
    end
    assert_equal '1048576', @dc.stats(:settings)[DalliHelpers::SERVER]['item_size_max']
  end
end

class DalliSaslTest < Minitest::Test
  include DalliHelpers

  def setup
    skip 'no SASL account given (run with PORT USER PASSWORD)' unless SASL_USER
    super
  end

  def test_authenticated_client_works
    assert @dc.set('k', 'v')
    assert_equal 'v', @dc.get('k')
    other = client
    assert_equal 'v', other.get('k')
  end

  def test_wrong_password_fails
    @dc.set('k', 'secret-value')
    bad = client(password: 'not-the-password')
    err = assert_raises(Dalli::DalliError) { bad.get('k') }
    assert_equal 'Error authenticating: 0x20', err.message
    # the connection stays open after the failed SASL_AUTH; the SET on it is refused
    err = assert_raises(Dalli::DalliError) { bad.set('k', 'overwritten') }
    assert_equal 'Response error 32: Authentication required', err.message
    assert_equal 'secret-value', @dc.get('k')
  end

  def test_unknown_user_fails
    bad = client(username: 'nobody')
    err = assert_raises(Dalli::DalliError) { bad.set('k', 'x') }
    assert_equal 'Error authenticating: 0x20', err.message
    assert_nil @dc.get('k')
  end

  def test_no_credentials_fails
    @dc.set('k', 'secret-value')
    anon = Dalli::Client.new(DalliHelpers::SERVER, socket_timeout: 5, socket_max_failures: 1,
                                                   down_retry_delay: 0)
    (@clients ||= []) << anon
    # Dalli connects with VERSION, which the server refuses with 0x20 (and hangs up)
    2.times do
      err = assert_raises(Dalli::DalliError) { anon.get('k') }
      assert_equal 'Response error 32: Authentication required', err.message
    end
    assert_equal 'secret-value', @dc.get('k')
  end
end
