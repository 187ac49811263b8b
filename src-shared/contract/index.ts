export * from './errors';
export * from './requests';
export * from './store';
export * from './net';
export * from './events';
export * from './bridge';
export * from './passphrase';
