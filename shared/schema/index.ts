export * from './common';
export * from './entities';
export * from './commands';
export * from './changes';
export * from './api';
export * from './hotline';
