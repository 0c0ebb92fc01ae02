/**
 * @module @ssekit/client/tabs
 *
 * {@link connect} with `shareAcrossTabs`: the tabs of one origin that open the same stream share
 * one network connection (a Web Locks leader forwards over a BroadcastChannel), and when the
 * leader's tab goes another resumes from the last event id the group saw. A separate entry, so
 * apps that do not share pay nothing for it. Everything else is `@ssekit/client`'s.
 */
export { connect } from './tabs/shareAcrossTabs';
