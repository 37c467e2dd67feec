import { UNION_BYTES } from '../catalogue.js';
import { family, type LegacyRow, type UnionMember } from './table.js';

/*
 * Wireless extensions (linux/wireless.h), all served by net/wireless/wext-core.c: sock_ioctl hands SIOCIWFIRST to
 * SIOCIWLAST to wext_handle_ioctl, which copies the struct iwreq in and, for a GET (odd number, IW_IS_GET), back out;
 * a SET (even number) is only read. Where standard_ioctl[] says IW_HEADER_TYPE_POINT, u.data (struct iw_point) holds
 * a user pointer: ioctl_standard_iw_point reads what it points to for a SET and fills it for a GET, and
 * compat_standard_call converts struct compat_iw_point for a compat task.
 */
const SOURCE = 'net/wireless/wext-core.c:wext_handle_ioctl';
const COMPAT = 'compat_standard_call converts struct compat_iw_point';
const PRIV_COMPAT = 'compat_private_call converts struct compat_iw_point';

/** IW_HEADER_TYPE_POINT's member: the one compat_standard_call converts (the others' bytes go as they are). */
const POINT: UnionMember = {
  union: 'u',
  member: 'data',
  source: 'net/wireless/wext-core.c:compat_standard_call',
  shows: '(struct compat_iw_point *) &iwr->u.data',
};

/**
 * The other header types' union, as the task laid it: compat_wext_handle_ioctl copies the task's struct iwreq whole (the
 * same 32 bytes on every ABI) and compat_standard_call hands it to ioctl_standard_call unconverted.
 */
const BYTES: UnionMember = {
  union: 'u',
  member: UNION_BYTES,
  source: 'net/wireless/wext-core.c:compat_wext_handle_ioctl',
  shows: 'copy_from_user(&iwr, argp, sizeof(struct iwreq))',
};

/** A row's extras: the note, and u.data where its note says compat_standard_call converts it, else u's bytes. */
const extra = (note: string) => ({ note, member: note.endsWith(COMPAT) ? POINT : BYTES });

/** A SET: the iwreq is read only. */
function set(name: string, note: string): LegacyRow {
  return [name, 'w', 'struct iwreq', SOURCE, extra(note)];
}

/** A GET: the iwreq is read (ifr_name, u.data's pointer and length) and written back. */
function get(name: string, note: string): LegacyRow {
  return [name, 'rw', 'struct iwreq', SOURCE, extra(note)];
}

export const WIRELESS = family('wireless', { header: 'linux/wireless.h' }, [
  set('SIOCIWFIRST', "the first wireless number, SIOCSIWCOMMIT's"),
  set('SIOCSIWCOMMIT', 'IW_HEADER_TYPE_NULL: only ifr_name is used'),
  get('SIOCGIWNAME', 'u.name (char [IFNAMSIZ]) is filled'),
  set('SIOCSIWNWID', 'u.nwid (struct iw_param)'),
  get('SIOCGIWNWID', 'u.nwid (struct iw_param) is filled'),
  set('SIOCSIWFREQ', 'u.freq (struct iw_freq)'),
  get('SIOCGIWFREQ', 'u.freq (struct iw_freq) is filled'),
  set('SIOCSIWMODE', 'u.mode (__u32)'),
  get('SIOCGIWMODE', 'u.mode (__u32) is filled'),
  set('SIOCSIWSENS', 'u.sens (struct iw_param)'),
  get('SIOCGIWSENS', 'u.sens (struct iw_param) is filled'),
  set('SIOCSIWRANGE', 'unused, IW_HEADER_TYPE_NULL: only ifr_name is read'),
  get('SIOCGIWRANGE', `u.data points to a struct iw_range the kernel fills; ${COMPAT}`),
  set('SIOCSIWPRIV', 'unused, IW_HEADER_TYPE_NULL: only ifr_name is read'),
  get('SIOCGIWPRIV', `u.data points to struct iw_priv_args [] the kernel fills (iw_handler_get_private); ${COMPAT}`),
  set('SIOCSIWSTATS', 'unused, IW_HEADER_TYPE_NULL: only ifr_name is read'),
  get('SIOCGIWSTATS', `u.data points to a struct iw_statistics the kernel fills; ${COMPAT}`),
  set('SIOCSIWSPY', `u.data points to up to IW_MAX_SPY struct sockaddr the kernel reads; ${COMPAT}`),
  get('SIOCGIWSPY', `u.data points to struct sockaddr [n] then struct iw_quality [n], filled; ${COMPAT}`),
  set('SIOCSIWTHRSPY', `u.data points to a struct iw_thrspy the kernel reads; ${COMPAT}`),
  get('SIOCGIWTHRSPY', `u.data points to a struct iw_thrspy the kernel fills; ${COMPAT}`),
  set('SIOCSIWAP', 'u.ap_addr (struct sockaddr)'),
  get('SIOCGIWAP', 'u.ap_addr (struct sockaddr) is filled'),
  set('SIOCSIWMLME', `u.data points to a struct iw_mlme the kernel reads; ${COMPAT}`),
  get('SIOCGIWAPLIST', `u.data points to struct sockaddr [n] then struct iw_quality [n], filled; ${COMPAT}`),
  set('SIOCSIWSCAN', `u.data points to an optional struct iw_scan_req the kernel reads; ${COMPAT}`),
  get(
    'SIOCGIWSCAN',
    `u.data points to a stream of struct iw_event the kernel fills, in the compat layout for a compat task; ${COMPAT}`,
  ),
  set('SIOCSIWESSID', `u.data points to up to IW_ESSID_MAX_SIZE bytes the kernel reads; ${COMPAT}`),
  get('SIOCGIWESSID', `u.data points to up to IW_ESSID_MAX_SIZE bytes the kernel fills; ${COMPAT}`),
  set('SIOCSIWNICKN', `u.data points to up to IW_ESSID_MAX_SIZE bytes the kernel reads; ${COMPAT}`),
  get('SIOCGIWNICKN', `u.data points to up to IW_ESSID_MAX_SIZE bytes the kernel fills; ${COMPAT}`),
  set('SIOCSIWRATE', 'u.bitrate (struct iw_param)'),
  get('SIOCGIWRATE', 'u.bitrate (struct iw_param) is filled'),
  set('SIOCSIWRTS', 'u.rts (struct iw_param)'),
  get('SIOCGIWRTS', 'u.rts (struct iw_param) is filled'),
  set('SIOCSIWFRAG', 'u.frag (struct iw_param)'),
  get('SIOCGIWFRAG', 'u.frag (struct iw_param) is filled'),
  set('SIOCSIWTXPOW', 'u.txpower (struct iw_param)'),
  get('SIOCGIWTXPOW', 'u.txpower (struct iw_param) is filled'),
  set('SIOCSIWRETRY', 'u.retry (struct iw_param)'),
  get('SIOCGIWRETRY', 'u.retry (struct iw_param) is filled'),
  set('SIOCSIWENCODE', `u.data points to a key of up to IW_ENCODING_TOKEN_MAX bytes the kernel reads; ${COMPAT}`),
  get('SIOCGIWENCODE', `u.data points to a key of up to IW_ENCODING_TOKEN_MAX bytes the kernel fills; ${COMPAT}`),
  set('SIOCSIWPOWER', 'u.power (struct iw_param)'),
  get('SIOCGIWPOWER', 'u.power (struct iw_param) is filled'),
  set('SIOCSIWGENIE', `u.data points to up to IW_GENERIC_IE_MAX bytes of IEs the kernel reads; ${COMPAT}`),
  get('SIOCGIWGENIE', `u.data points to up to IW_GENERIC_IE_MAX bytes of IEs the kernel fills; ${COMPAT}`),
  set('SIOCSIWAUTH', 'u.param (struct iw_param)'),
  get('SIOCGIWAUTH', 'u.param (struct iw_param) is filled'),
  set('SIOCSIWENCODEEXT', `u.data points to a struct iw_encode_ext and its key, read; ${COMPAT}`),
  get('SIOCGIWENCODEEXT', `u.data points to a struct iw_encode_ext and its key, filled; ${COMPAT}`),
  set('SIOCSIWPMKSA', `u.data points to a struct iw_pmksa the kernel reads; ${COMPAT}`),
  // the driver range: the driver's iw_priv_args say whether u holds the data or u.data points to it
  [
    'SIOCIWFIRSTPRIV',
    'w',
    'struct iwreq',
    'net/wireless/wext-priv.c:ioctl_private_call',
    { note: `first driver-private number, a SET: u or the buffer u.data points to is read; ${PRIV_COMPAT}` },
  ],
  [
    'SIOCIWLASTPRIV',
    'rw',
    'struct iwreq',
    'net/wireless/wext-priv.c:ioctl_private_call',
    { note: `last driver-private number, a GET: u or the buffer u.data points to is filled; ${PRIV_COMPAT}` },
  ],
]);
